package com.mqtthub.bridge;

import com.mqtthub.acl.TopicFilters;
import com.mqtthub.bridge.BridgesProperties.Direction;
import com.mqtthub.bridge.BridgesProperties.TopicRule;

/**
 * One topic rule made ready for use: the hub side of the rule is {@code local-prefix + filter}, the
 * remote side {@code remote-prefix + filter}, and a topic crossing the bridge swaps one prefix
 * for the other.
 */
record TopicMapping(String filter, Direction direction, int qos, String localPrefix, String remotePrefix) {

	static TopicMapping of(TopicRule rule) {
		return new TopicMapping(rule.getFilter(), rule.getDirection(), rule.getQos(), rule.getLocalPrefix(),
				rule.getRemotePrefix());
	}

	String localFilter() {
		return this.localPrefix + this.filter;
	}

	String remoteFilter() {
		return this.remotePrefix + this.filter;
	}

	/** The remote topic for a local one this rule sends out, or null. */
	String outgoing(String localTopic) {
		if (!this.direction.out() || !localTopic.startsWith(this.localPrefix)
				|| !TopicFilters.matches(localFilter(), localTopic)) {
			return null;
		}
		return this.remotePrefix + localTopic.substring(this.localPrefix.length());
	}

	/** The local topic for a remote one this rule brings in, or null. */
	String incoming(String remoteTopic) {
		if (!this.direction.in() || !remoteTopic.startsWith(this.remotePrefix)
				|| !TopicFilters.matches(remoteFilter(), remoteTopic)) {
			return null;
		}
		return this.localPrefix + remoteTopic.substring(this.remotePrefix.length());
	}

}

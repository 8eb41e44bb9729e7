package com.mqtthub.acl;

import java.util.concurrent.atomic.AtomicLong;

import com.mqtthub.broker.MqttAuthorizer;
import com.mqtthub.security.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Applies the topic rules to what MQTT clients do: a denied SUBSCRIBE filter gets a failure
 * (0x80) in the SUBACK, a denied PUBLISH is dropped before it reaches any subscriber. Every
 * denial is logged and counted.
 */
@Component
public class BrokerAuthorizer implements MqttAuthorizer {

	private static final Logger logger = LoggerFactory.getLogger(BrokerAuthorizer.class);

	private final AclService acl;

	private final AtomicLong deniedPublishes = new AtomicLong();

	private final AtomicLong deniedSubscriptions = new AtomicLong();

	BrokerAuthorizer(AclService acl) {
		this.acl = acl;
	}

	@Override
	public boolean canPublish(String username, String clientId, String topic) {
		AccessDecision decision = this.acl.decide(username, clientId, topic, Action.PUBLISH);
		if (!decision.allowed()) {
			long count = this.deniedPublishes.incrementAndGet();
			logger.warn("PUBLISH to '{}' by {} (client id '{}') denied and dropped, {} ({} denied so far)",
					LogSafe.text(topic), who(username), LogSafe.text(clientId), decision.reason(), count);
		}
		return decision.allowed();
	}

	@Override
	public boolean canSubscribe(String username, String clientId, String topicFilter) {
		AccessDecision decision = this.acl.decide(username, clientId, topicFilter, Action.SUBSCRIBE);
		if (!decision.allowed()) {
			long count = this.deniedSubscriptions.incrementAndGet();
			logger.warn("SUBSCRIBE to '{}' by {} (client id '{}') denied, {} ({} denied so far)",
					LogSafe.text(topicFilter), who(username), LogSafe.text(clientId), decision.reason(), count);
		}
		return decision.allowed();
	}

	/** PUBLISH packets dropped by the topic rules since start. */
	public long deniedPublishes() {
		return this.deniedPublishes.get();
	}

	/** Subscription filters refused by the topic rules since start. */
	public long deniedSubscriptions() {
		return this.deniedSubscriptions.get();
	}

	private static String who(String username) {
		return (username != null) ? "user '" + LogSafe.text(username) + "'" : "an anonymous client";
	}

}

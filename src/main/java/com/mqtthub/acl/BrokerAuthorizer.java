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

	/** Most read decisions cached; beyond it the cache starts again. */
	private static final int MAX_CACHED_READS = 100_000;

	/** Read decisions per (user, client, topic), valid for {@link #readsVersion} of the rules. */
	private final java.util.concurrent.ConcurrentHashMap<ReadKey, Boolean> reads = new java.util.concurrent.ConcurrentHashMap<>();

	private volatile long readsVersion = -1;

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

	@Override
	public boolean canRead(String username, String clientId, String topic) {
		long version = this.acl.version();
		if (version != this.readsVersion || this.reads.size() > MAX_CACHED_READS) {
			this.reads.clear();
			this.readsVersion = version;
		}
		ReadKey key = new ReadKey(username, clientId, topic);
		Boolean allowed = this.reads.get(key);
		if (allowed == null) {
			allowed = this.acl.decide(username, clientId, topic, Action.SUBSCRIBE).allowed();
			// Only cache what was decided on the rules still in force.
			if (this.acl.version() == version) {
				this.reads.put(key, allowed);
			}
		}
		return allowed;
	}

	private record ReadKey(String username, String clientId, String topic) {
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

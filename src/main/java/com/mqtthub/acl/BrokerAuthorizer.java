package com.mqtthub.acl;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
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

	/** Stands for "no user name" among the cache's keys (no user name can be empty). */
	private static final String ANONYMOUS = "";

	/**
	 * Read decisions by user, client id and topic, valid for {@link #readsVersion} of the rules.
	 * Nested maps, so that a decision already made is found without allocating a key: this
	 * runs for every message delivered.
	 */
	private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Boolean>>> reads = new ConcurrentHashMap<>();

	private final AtomicInteger cachedReads = new AtomicInteger();

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
		if (version != this.readsVersion || this.cachedReads.get() > MAX_CACHED_READS) {
			this.reads.clear();
			this.cachedReads.set(0);
			this.readsVersion = version;
		}
		ConcurrentMap<String, Boolean> ofClient = inner(inner(this.reads, (username != null) ? username : ANONYMOUS),
				clientId);
		Boolean allowed = ofClient.get(topic);
		if (allowed == null) {
			allowed = this.acl.decide(username, clientId, topic, Action.SUBSCRIBE).allowed();
			// Only cache what was decided on the rules still in force.
			if (this.acl.version() == version && ofClient.put(topic, allowed) == null) {
				this.cachedReads.incrementAndGet();
			}
		}
		return allowed;
	}

	/** The map under {@code key}, made when missing; a plain lookup when present (no locking). */
	private static <V> ConcurrentMap<String, V> inner(ConcurrentMap<String, ConcurrentMap<String, V>> outer,
			String key) {
		ConcurrentMap<String, V> map = outer.get(key);
		return (map != null) ? map : outer.computeIfAbsent(key, (k) -> new ConcurrentHashMap<>());
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

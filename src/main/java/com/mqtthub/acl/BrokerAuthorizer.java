package com.mqtthub.acl;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import com.mqtthub.broker.MqttAuthorizer;
import com.mqtthub.security.LogSafe;
import com.mqtthub.security.RateLimitedLog;
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

	/** A client can send denied PUBLISHes and filters at will: their lines are rate-limited. */
	private static final RateLimitedLog deniedPublishLog = new RateLimitedLog(logger, "denied PUBLISH packets");

	private final AclService acl;

	private final AtomicLong deniedPublishes = new AtomicLong();

	private final AtomicLong deniedSubscriptions = new AtomicLong();

	/**
	 * Most memory the cached decisions take, roughly (an entry costs about 64 bytes besides its
	 * topic, which clients choose); beyond it the cache starts again.
	 */
	private static final long MAX_CACHED_BYTES = 16L * 1024 * 1024;

	private static final int ENTRY_BYTES = 64;

	/** Stands for "no user name" among the cache's keys (no user name can be empty). */
	private static final String ANONYMOUS = "";

	/**
	 * Read decisions by user, client id and topic, valid for {@link #decisionsVersion} of the
	 * rules. Nested maps, so that a decision already made is found without allocating a key:
	 * this runs for every message delivered.
	 */
	private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Boolean>>> reads = new ConcurrentHashMap<>();

	/** Topics each client of each user was allowed to publish to, likewise (every PUBLISH asks). */
	private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Boolean>>> publishes = new ConcurrentHashMap<>();

	private final AtomicLong cachedBytes = new AtomicLong();

	private volatile long decisionsVersion = -1;

	BrokerAuthorizer(AclService acl) {
		this.acl = acl;
	}

	@Override
	public boolean canPublish(String username, String clientId, String topic) {
		ConcurrentMap<String, Boolean> ofClient = cached(this.publishes, username, clientId);
		if (ofClient.get(topic) != null) {
			return true;
		}
		long version = this.acl.version();
		AccessDecision decision = this.acl.decide(username, clientId, topic, Action.PUBLISH);
		if (!decision.allowed()) {
			long count = this.deniedPublishes.incrementAndGet();
			deniedPublishLog.warn("PUBLISH to '{}' by {} (client id '{}') denied and dropped, {} ({} denied so far)",
					LogSafe.text(topic), who(username), LogSafe.text(clientId), decision.reason(), count);
		}
		// Only allowed publishes are remembered: a denied one closes its connection anyway, and is
		// logged with its reason every time.
		else {
			remember(ofClient, topic, Boolean.TRUE, version);
		}
		return decision.allowed();
	}

	@Override
	public boolean canSubscribe(String username, String clientId, String topicFilter) {
		AccessDecision decision = this.acl.decide(username, clientId, topicFilter, Action.SUBSCRIBE);
		if (!decision.allowed()) {
			long count = this.deniedSubscriptions.incrementAndGet();
			// Each SUBSCRIBE with denied filters gets one line of counts (broker/SubscriptionLimits).
			logger.debug("SUBSCRIBE to '{}' by {} (client id '{}') denied, {} ({} denied so far)",
					LogSafe.text(topicFilter), who(username), LogSafe.text(clientId), decision.reason(), count);
		}
		return decision.allowed();
	}

	@Override
	public boolean canRead(String username, String clientId, String topic) {
		ConcurrentMap<String, Boolean> ofClient = cached(this.reads, username, clientId);
		Boolean allowed = ofClient.get(topic);
		if (allowed == null) {
			long version = this.acl.version();
			allowed = this.acl.decide(username, clientId, topic, Action.SUBSCRIBE).allowed();
			remember(ofClient, topic, allowed, version);
		}
		return allowed;
	}

	/**
	 * The cached decisions of one client of one user, emptied first when the rules or users
	 * changed since they were made, or when too many are cached.
	 */
	private ConcurrentMap<String, Boolean> cached(
			ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, Boolean>>> decisions, String username,
			String clientId) {
		long version = this.acl.version();
		if (version != this.decisionsVersion || this.cachedBytes.get() > MAX_CACHED_BYTES) {
			this.reads.clear();
			this.publishes.clear();
			this.cachedBytes.set(0);
			this.decisionsVersion = version;
		}
		return inner(inner(decisions, (username != null) ? username : ANONYMOUS), clientId);
	}

	/** Caches a decision made on the rules of {@code version}, unless they changed meanwhile. */
	private void remember(ConcurrentMap<String, Boolean> ofClient, String topic, Boolean allowed, long version) {
		if (this.acl.version() != version) {
			return;
		}
		if (ofClient.put(topic, allowed) == null) {
			this.cachedBytes.addAndGet(ENTRY_BYTES + 2L * topic.length());
		}
		if (this.acl.version() != version) {
			// Changed while it was being put: the cache may already have been emptied for it.
			ofClient.remove(topic);
		}
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

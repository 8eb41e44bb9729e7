package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;

import com.mqtthub.security.LogSafe;
import io.moquette.broker.MoquetteCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who owns each stored retained message and how many payload bytes it holds, against the
 * limits per user and in total ({@code mqtthub.broker.retained.*}).
 * <p>
 * The account is a small map in the broker's store (topic to size and owner, no payloads),
 * written in the same commits as the retained messages, so it survives a restart or a crash
 * with them; at start-up it is checked against the retained repository and rebuilt when they
 * differ. Tallies per owner and in total live in memory. The owner of a topic's retained message
 * is the user who last stored it there.
 * <p>
 * Two places ask: {@link RetainedLimits}, in each connection's pipeline, clears the RETAIN flag
 * of a PUBLISH beyond a limit before the engine sees it; and every store ({@link
 * MoquetteCore.RetainedLedger}) checks again, which catches the few messages that passed the
 * first check while earlier ones were still on their way, and covers wills and the broker's
 * own messages. A refused message is still delivered to current subscribers like any other; the
 * topic keeps its previous retained message. Replacing a topic's message by one no larger, and
 * deleting, are never refused.
 */
final class RetainedQuota implements MoquetteCore.RetainedLedger {

	/**
	 * Owner of retained messages from the broker itself (bridges, the admin API) and of those
	 * found without an owner at start-up: only the total limits apply. No user name has a '$'.
	 */
	static final String BROKER = "$broker";

	/** At most one line per this many nanoseconds for refusals found at store time. */
	private static final long LOG_EVERY_NANOS = 5_000_000_000L;

	private static final Logger logger = LoggerFactory.getLogger(RetainedQuota.class);

	/** Topic to "bytes owner". */
	private final Map<String, String> ledger;

	/** Owner to {messages, bytes}. */
	private final Map<String, long[]> owners = new HashMap<>();

	private long totalMessages;

	private long totalBytes;

	private final long maxMessagesPerUser;

	private final long maxBytesPerUser;

	private final long maxMessages;

	private final long maxBytes;

	private final BrokerLimits counters;

	private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

	private long unloggedRefusals;

	/**
	 * @param ledger the stored account (topic to size and owner); tallied here, see
	 * {@link #reconcile} to check it against the retained messages
	 * @param maxBytes the total for all users ({@link BrokerProperties#effectiveRetainedMaxBytes})
	 */
	RetainedQuota(Map<String, String> ledger, BrokerProperties.Retained settings, long maxBytes,
			BrokerLimits counters) {
		this.ledger = ledger;
		this.maxMessagesPerUser = settings.getMaxMessagesPerUser();
		this.maxBytesPerUser = settings.getMaxBytesPerUser().toBytes();
		this.maxMessages = settings.getMaxMessages();
		this.maxBytes = maxBytes;
		this.counters = counters;
		tally();
	}

	/**
	 * Checks the account against the retained messages the broker holds, and rebuilds it when
	 * they differ (a store from before the account existed): messages it does not know are
	 * counted as the broker's, topics it knows that have none are dropped.
	 * @param storedCount how many retained messages are stored
	 * @param storedTopics their topics (read only when the counts differ)
	 * @param payloadBytes the payload size of one stored topic's message (loaded alone)
	 */
	synchronized void reconcile(long storedCount, Iterable<String> storedTopics, ToIntFunction<String> payloadBytes) {
		if (this.ledger.size() == storedCount) {
			return;
		}
		Set<String> present = new HashSet<>();
		int added = 0;
		for (String topic : storedTopics) {
			present.add(topic);
			if (!this.ledger.containsKey(topic)) {
				this.ledger.put(topic, entry(payloadBytes.applyAsInt(topic), BROKER));
				added++;
			}
		}
		int dropped = 0;
		// One by one: the store's maps cannot remove through their key views.
		for (String topic : List.copyOf(this.ledger.keySet())) {
			if (!present.contains(topic)) {
				this.ledger.remove(topic);
				dropped++;
			}
		}
		tally();
		logger.info("Rebuilt the account of retained messages: {} found without an owner (counted as the broker's), "
				+ "{} gone; {} messages, {} bytes", added, dropped, this.totalMessages, this.totalBytes);
	}

	private void tally() {
		this.owners.clear();
		this.totalMessages = 0;
		this.totalBytes = 0;
		for (String value : this.ledger.values()) {
			add(ownerOf(value), bytes(value));
		}
	}

	/**
	 * Whether {@code owner} may store a retained message of {@code bytes} payload bytes on
	 * {@code topic} now; a refusal is counted against the limit that refused it.
	 * @param owner the user name, null for an anonymous client, {@link #BROKER} for the broker
	 * @return null when it may, else the limit it would exceed
	 */
	synchronized Limit check(String owner, String topic, int bytes) {
		Limit refused = refusal(nameOf(owner), topic, bytes);
		if (refused != null) {
			this.counters.refused(refused);
		}
		return refused;
	}

	private Limit refusal(String owner, String topic, int bytes) {
		if (bytes == 0) {
			return null;
		}
		String old = this.ledger.get(topic);
		long oldBytes = (old != null) ? bytes(old) : 0;
		if (old != null && bytes <= oldBytes) {
			return null;
		}
		if (this.totalMessages + ((old != null) ? 0 : 1) > this.maxMessages) {
			return Limit.RETAINED_MESSAGES;
		}
		if (this.totalBytes - oldBytes + bytes > this.maxBytes) {
			return Limit.RETAINED_BYTES;
		}
		if (BROKER.equals(owner)) {
			return null;
		}
		boolean own = old != null && owner.equals(ownerOf(old));
		long[] usage = this.owners.getOrDefault(owner, new long[2]);
		if (usage[0] + (own ? 0 : 1) > this.maxMessagesPerUser) {
			return Limit.RETAINED_MESSAGES_PER_USER;
		}
		if (usage[1] - (own ? oldBytes : 0) + bytes > this.maxBytesPerUser) {
			return Limit.RETAINED_BYTES_PER_USER;
		}
		return null;
	}

	/** Asked by the engine's store, after {@link #check} let the message through. */
	@Override
	public synchronized boolean store(String topic, String owner, int bytes) {
		String who = nameOf(owner);
		Limit refused = refusal(who, topic, bytes);
		if (refused != null) {
			this.counters.refused(refused);
			logRefusal(who, topic, refused);
			return false;
		}
		removed(topic);
		this.ledger.put(topic, entry(bytes, who));
		add(who, bytes);
		return true;
	}

	@Override
	public synchronized void removed(String topic) {
		String old = this.ledger.remove(topic);
		if (old == null) {
			return;
		}
		String owner = ownerOf(old);
		long bytes = bytes(old);
		this.totalMessages--;
		this.totalBytes -= bytes;
		long[] usage = this.owners.get(owner);
		if (usage != null) {
			usage[0]--;
			usage[1] -= bytes;
			if (usage[0] <= 0) {
				this.owners.remove(owner);
			}
		}
	}

	private void add(String owner, long bytes) {
		this.totalMessages++;
		this.totalBytes += bytes;
		long[] usage = this.owners.computeIfAbsent(owner, (o) -> new long[2]);
		usage[0]++;
		usage[1] += bytes;
	}

	/** Refusals at store time are rare (see the class comment): one line every few seconds at most. */
	private void logRefusal(String owner, String topic, Limit limit) {
		this.unloggedRefusals++;
		long now = System.nanoTime();
		if (now - this.lastLogNanos < LOG_EVERY_NANOS) {
			return;
		}
		this.lastLogNanos = now;
		logger.warn("Not retaining a message of '{}' on '{}': limit {} reached ({} such refusals since the last "
				+ "line); it was delivered, the topic keeps its previous retained message", LogSafe.text(owner),
				LogSafe.text(topic), limit.tag(), this.unloggedRefusals);
		this.unloggedRefusals = 0;
	}

	/** Every topic with a retained message, in ascending order; no payload is loaded. */
	@Override
	public Iterable<String> topics() {
		return this.ledger.keySet();
	}

	/**
	 * The topics with a retained message that {@code matches}, in ascending order, after
	 * {@code after} (null from the first), at most {@code limit}: read from the account, so no
	 * payload is loaded.
	 */
	List<String> topics(BiPredicate<String, String> matches, String filter, String after, int limit) {
		List<String> page = new ArrayList<>(Math.min(limit, 1024));
		// The account's keys iterate in ascending order (MoquetteCore.storedMap).
		for (String topic : this.ledger.keySet()) {
			if (after != null && topic.compareTo(after) <= 0) {
				continue;
			}
			if (!matches.test(topic, filter)) {
				continue;
			}
			if (page.size() == limit) {
				break;
			}
			page.add(topic);
		}
		return page;
	}

	/** Retained messages owned by {@code owner} (null: anonymous clients). */
	synchronized long messagesOf(String owner) {
		long[] usage = this.owners.get(nameOf(owner));
		return (usage != null) ? usage[0] : 0;
	}

	/** Retained payload bytes owned by {@code owner} (null: anonymous clients). */
	synchronized long bytesOf(String owner) {
		long[] usage = this.owners.get(nameOf(owner));
		return (usage != null) ? usage[1] : 0;
	}

	synchronized long totalMessages() {
		return this.totalMessages;
	}

	synchronized long totalBytes() {
		return this.totalBytes;
	}

	private static String nameOf(String owner) {
		return (owner != null) ? owner : SessionOwners.ANONYMOUS;
	}

	private static String entry(long bytes, String owner) {
		return bytes + " " + owner;
	}

	private static long bytes(String entry) {
		return Long.parseLong(entry.substring(0, entry.indexOf(' ')));
	}

	private static String ownerOf(String entry) {
		return entry.substring(entry.indexOf(' ') + 1);
	}

}

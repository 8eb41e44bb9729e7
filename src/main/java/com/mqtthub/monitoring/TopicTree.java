package com.mqtthub.monitoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topics that carried messages, fed from the broker's routed messages. Memory is bounded:
 * at most {@code maxTopics} topics (the least recently used one is evicted beyond it) and at
 * most {@code maxPayloadBytes} of the last payload per topic. Updates are one map operation
 * under a short lock; the hierarchy is built only when somebody asks for it.
 */
public final class TopicTree {

	private final int maxTopics;

	private final int maxPayloadBytes;

	private final LinkedHashMap<String, Entry> topics;

	private long evicted;

	public TopicTree(int maxTopics, int maxPayloadBytes) {
		this.maxTopics = Math.max(1, maxTopics);
		this.maxPayloadBytes = Math.max(0, maxPayloadBytes);
		this.topics = new LinkedHashMap<>(16, 0.75f, true) {
			@Override
			protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
				if (size() > TopicTree.this.maxTopics) {
					TopicTree.this.evicted++;
					return true;
				}
				return false;
			}
		};
	}

	public int maxPayloadBytes() {
		return this.maxPayloadBytes;
	}

	/**
	 * Records a message; {@code payloadHead} (at most {@link #maxPayloadBytes()} bytes) is kept as is.
	 */
	public void record(String topic, byte[] payloadHead, int payloadSize, boolean retain, long now) {
		synchronized (this.topics) {
			Entry entry = this.topics.get(topic);
			if (entry == null) {
				entry = new Entry();
				this.topics.put(topic, entry);
			}
			entry.count++;
			entry.payload = payloadHead;
			entry.payloadSize = payloadSize;
			entry.time = now;
			if (retain) {
				// An empty retained message removes the topic's retained message.
				entry.retained = payloadSize > 0;
			}
		}
	}

	/** The retained message of {@code topic} was deleted. */
	public void retainedDeleted(String topic) {
		synchronized (this.topics) {
			Entry entry = this.topics.get(topic);
			if (entry != null) {
				entry.retained = false;
			}
		}
	}

	public int size() {
		synchronized (this.topics) {
			return this.topics.size();
		}
	}

	public long evicted() {
		synchronized (this.topics) {
			return this.evicted;
		}
	}

	/** The known topics in order. */
	public List<String> topics() {
		synchronized (this.topics) {
			return this.topics.keySet().stream().sorted().toList();
		}
	}

	/**
	 * Every kept topic with its figures, sorted by topic. Flat on purpose: a topic of hundreds of
	 * levels is one entry, never a nesting hundreds deep in the JSON; the page builds the hierarchy.
	 */
	public List<TopicEntry> entries() {
		Map<String, Entry> copy = new TreeMap<>();
		synchronized (this.topics) {
			this.topics.forEach((topic, entry) -> copy.put(topic, entry.copy()));
		}
		List<TopicEntry> entries = new ArrayList<>(copy.size());
		copy.forEach((topic, entry) -> entries.add(entry.view(topic)));
		return entries;
	}

	/**
	 * Takes the message counts of this second (called once a second): the base of
	 * {@link #busiest(int)}.
	 */
	public void tick() {
		synchronized (this.topics) {
			this.topics.values().forEach(Entry::tick);
		}
	}

	/** The topics with the most messages in the last second, most first; only those with any. */
	public List<TopicRate> busiest(int limit) {
		List<TopicRate> rates = new ArrayList<>();
		synchronized (this.topics) {
			this.topics.forEach((topic, entry) -> {
				if (entry.lastRate > 0) {
					rates.add(new TopicRate(topic, entry.lastRate));
				}
			});
		}
		rates.sort(Comparator.comparingLong(TopicRate::messagesPerSecond).reversed().thenComparing(TopicRate::topic));
		return List.copyOf(rates.subList(0, Math.min(Math.max(0, limit), rates.size())));
	}

	/**
	 * A topic that carried messages.
	 * @param payload the last payload's first bytes, in Base64
	 * @param payloadSize the last payload's full size
	 * @param lastTime the last message's time
	 */
	public record TopicEntry(String topic, long count, String payload, int payloadSize, boolean truncated,
			Instant lastTime, boolean retained) {
	}

	/** Messages per second on one topic, over the last whole second. */
	public record TopicRate(String topic, long messagesPerSecond) {
	}

	private static final class Entry {

		long count;

		long countAtTick;

		long lastRate;

		byte[] payload;

		int payloadSize;

		long time;

		boolean retained;

		void tick() {
			this.lastRate = this.count - this.countAtTick;
			this.countAtTick = this.count;
		}

		Entry copy() {
			Entry copy = new Entry();
			copy.count = this.count;
			copy.payload = this.payload;
			copy.payloadSize = this.payloadSize;
			copy.time = this.time;
			copy.retained = this.retained;
			return copy;
		}

		TopicEntry view(String topic) {
			byte[] head = (this.payload != null) ? this.payload : new byte[0];
			return new TopicEntry(topic, this.count, Base64.getEncoder().encodeToString(head), this.payloadSize,
					head.length < this.payloadSize, Instant.ofEpochMilli(this.time), this.retained);
		}

	}

}

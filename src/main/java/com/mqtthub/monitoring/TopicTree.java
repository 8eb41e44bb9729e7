package com.mqtthub.monitoring;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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

	/** The hierarchy: one root per first topic level, children sorted by name. */
	public List<Node> tree() {
		Map<String, Entry> copy = new TreeMap<>();
		synchronized (this.topics) {
			this.topics.forEach((topic, entry) -> copy.put(topic, entry.copy()));
		}
		Builder root = new Builder("", "");
		copy.forEach((topic, entry) -> {
			Builder node = root;
			String[] levels = topic.split("/", -1);
			StringBuilder path = new StringBuilder();
			for (int i = 0; i < levels.length; i++) {
				if (i > 0) {
					path.append('/');
				}
				path.append(levels[i]);
				node = node.child(levels[i], path.toString());
			}
			node.entry = entry;
		});
		return root.build().children();
	}

	/**
	 * A level of the hierarchy. Levels that carried no message themselves have a count of 0 and
	 * no payload.
	 * @param payload the last payload's first bytes, in Base64
	 * @param payloadSize the last payload's full size
	 * @param lastTime the last message's time, or null
	 */
	public record Node(String name, String topic, long count, String payload, int payloadSize, boolean truncated,
			Instant lastTime, boolean retained, List<Node> children) {
	}

	private static final class Entry {

		long count;

		byte[] payload;

		int payloadSize;

		long time;

		boolean retained;

		Entry copy() {
			Entry copy = new Entry();
			copy.count = this.count;
			copy.payload = this.payload;
			copy.payloadSize = this.payloadSize;
			copy.time = this.time;
			copy.retained = this.retained;
			return copy;
		}

	}

	private static final class Builder {

		final String name;

		final String topic;

		final Map<String, Builder> children = new TreeMap<>();

		Entry entry;

		Builder(String name, String topic) {
			this.name = name;
			this.topic = topic;
		}

		Builder child(String name, String topic) {
			return this.children.computeIfAbsent(name, (key) -> new Builder(name, topic));
		}

		Node build() {
			List<Node> nodes = new ArrayList<>(this.children.size());
			this.children.values().forEach((child) -> nodes.add(child.build()));
			if (this.entry == null) {
				return new Node(this.name, this.topic, 0, null, 0, false, null, false, nodes);
			}
			byte[] payload = (this.entry.payload != null) ? this.entry.payload : new byte[0];
			return new Node(this.name, this.topic, this.entry.count, Base64.getEncoder().encodeToString(payload),
					this.entry.payloadSize, payload.length < this.entry.payloadSize,
					Instant.ofEpochMilli(this.entry.time), this.entry.retained, nodes);
		}

	}

}

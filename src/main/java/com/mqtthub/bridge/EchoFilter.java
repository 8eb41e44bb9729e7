package com.mqtthub.bridge;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loop prevention for a bridge whose rules both send a topic out and bring it in: MQTT 3.1.1 has
 * no "no local" subscription option, so the remote sends each forwarded message straight back.
 * Each forwarded message that the bridge's own subscriptions will receive again is noted here
 * (topic and payload), and the first matching message that comes back is dropped instead of
 * being published locally. Bounded: the oldest notes go first.
 */
final class EchoFilter {

	static final int MAX_NOTES = 10_000;

	private final Map<String, Integer> expected = new LinkedHashMap<>();

	private int size;

	synchronized void forwarded(String topic, byte[] payload) {
		this.expected.merge(key(topic, payload), 1, Integer::sum);
		this.size++;
		Iterator<Map.Entry<String, Integer>> oldest = this.expected.entrySet().iterator();
		while (this.size > MAX_NOTES && oldest.hasNext()) {
			this.size -= oldest.next().getValue();
			oldest.remove();
		}
	}

	/** Whether this incoming message is one of ours coming back (then it is no longer expected). */
	synchronized boolean isEcho(String topic, byte[] payload) {
		String key = key(topic, payload);
		Integer count = this.expected.get(key);
		if (count == null) {
			return false;
		}
		if (count == 1) {
			this.expected.remove(key);
		}
		else {
			this.expected.put(key, count - 1);
		}
		this.size--;
		return true;
	}

	synchronized void clear() {
		this.expected.clear();
		this.size = 0;
	}

	private static String key(String topic, byte[] payload) {
		return payload.length + ":" + Arrays.hashCode(payload) + ":" + topic;
	}

}

package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.mqtthub.testing.MqttTestClient.Received;

/**
 * What a subscriber at the remote saw of a numbered stream ("topic" / "n"): which numbers,
 * how many copies, and whether each topic's numbers first arrived in order.
 */
final class RemoteStream {

	private final Set<String> seen = new HashSet<>();

	private final Map<String, Integer> lastPerTopic = new HashMap<>();

	private final List<String> outOfOrder = new ArrayList<>();

	private int duplicates;

	void add(List<Received> messages) {
		for (Received message : messages) {
			int number = Integer.parseInt(message.payload());
			if (!this.seen.add(message.topic() + "/" + number)) {
				this.duplicates++;
				continue;
			}
			Integer last = this.lastPerTopic.put(message.topic(), number);
			if (last != null && number < last) {
				this.outOfOrder.add(message.topic() + ": " + number + " after " + last);
			}
		}
	}

	int distinct() {
		return this.seen.size();
	}

	int duplicates() {
		return this.duplicates;
	}

	List<String> outOfOrder() {
		return this.outOfOrder;
	}

	boolean has(String topic, int number) {
		return this.seen.contains(topic + "/" + number);
	}

}

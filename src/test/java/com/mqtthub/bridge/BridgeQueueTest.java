package com.mqtthub.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeQueueTest {

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(QueuedMessage message) {
		return new String(message.payload(), StandardCharsets.UTF_8);
	}

	@Test
	void keepsOrderAndLeavesOnlyWhenRemoved() throws Exception {
		BridgeQueue queue = new BridgeQueue(new ConcurrentSkipListMap<>(), 1 << 20, 100);
		queue.append("t", bytes("a"), 1, false, 1000);
		queue.append("t", bytes("b"), 2, true, 2000);
		QueuedMessage first = queue.next(0, 0);
		assertThat(text(first)).isEqualTo("a");
		QueuedMessage second = queue.next(first.sequence() + 1, 0);
		assertThat(text(second)).isEqualTo("b");
		assertThat(second.qos()).isEqualTo(2);
		assertThat(second.retain()).isTrue();
		assertThat(queue.next(second.sequence() + 1, 0)).isNull();
		assertThat(queue.oldestAgeSeconds(3000)).isEqualTo(2.0);
		// Acknowledged out of order: the head moves only past what is gone.
		queue.remove(second.sequence());
		assertThat(queue.head()).isEqualTo(first.sequence());
		queue.remove(first.sequence());
		assertThat(queue.size()).isZero();
		assertThat(queue.bytes()).isZero();
		assertThat(queue.enqueued()).isEqualTo(2);
	}

	@Test
	void dropsTheOldestPastTheMessageLimitAndCountsThem() throws Exception {
		BridgeQueue queue = new BridgeQueue(new ConcurrentSkipListMap<>(), 1 << 20, 3);
		assertThat(queue.append("t", bytes("0"), 1, false, 0)).isFalse();
		queue.append("t", bytes("1"), 1, false, 0);
		queue.append("t", bytes("2"), 1, false, 0);
		assertThat(queue.append("t", bytes("3"), 1, false, 0)).as("starts dropping").isTrue();
		assertThat(queue.append("t", bytes("4"), 1, false, 0)).as("logged once per episode").isFalse();
		assertThat(queue.size()).isEqualTo(3);
		assertThat(queue.dropped()).isEqualTo(2);
		assertThat(text(queue.next(0, 0))).isEqualTo("2");
	}

	@Test
	void dropsTheOldestPastTheByteLimit() throws Exception {
		BridgeQueue queue = new BridgeQueue(new ConcurrentSkipListMap<>(), 100, 1000);
		for (int i = 0; i < 10; i++) {
			queue.append("t", new byte[30], 1, false, 0);
		}
		assertThat(queue.bytes()).isLessThanOrEqualTo(100);
		assertThat(queue.size() + queue.dropped()).isEqualTo(10);
		// A message larger than the whole queue is dropped, not stored.
		queue.append("t", new byte[200], 1, false, 0);
		assertThat(queue.bytes()).isLessThanOrEqualTo(100);
		assertThat(queue.dropped()).isGreaterThanOrEqualTo(8);
	}

	@Test
	void opensAgainFromWhatWasStored() throws Exception {
		Map<Long, byte[]> store = new ConcurrentSkipListMap<>();
		BridgeQueue before = new BridgeQueue(store, 1 << 20, 100);
		for (int i = 0; i < 5; i++) {
			before.append("t/" + i, bytes(Integer.toString(i)), 1, false, 0);
		}
		before.remove(before.next(0, 0).sequence());
		BridgeQueue after = new BridgeQueue(store, 1 << 20, 100);
		assertThat(after.size()).isEqualTo(4);
		assertThat(after.bytes()).isEqualTo(before.bytes());
		QueuedMessage head = after.next(0, 0);
		assertThat(head.topic()).isEqualTo("t/1");
		after.append("t/5", bytes("5"), 1, false, 0);
		assertThat(after.size()).isEqualTo(5);
		assertThat(store).hasSize(5);
	}

}

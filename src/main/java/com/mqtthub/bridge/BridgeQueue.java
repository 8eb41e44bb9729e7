package com.mqtthub.bridge;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bridge's store-and-forward queue: a map in the broker's store from a growing sequence
 * number to a {@link QueuedMessage}, so that a message put here while the broker routes it is
 * committed with the broker's own state before its publisher's acknowledgement. Entries leave
 * only when the remote acknowledged them, or as the oldest when the queue is full.
 */
final class BridgeQueue {

	private final Map<Long, byte[]> entries;

	private long maxBytes;

	private long maxMessages;

	/** Its bridge was deleted: nothing more is kept. */
	private boolean discarded;

	private final LongAdder enqueued = new LongAdder();

	private final LongAdder dropped = new LongAdder();

	/** The smallest sequence number that may still be present. */
	private long head;

	/** The sequence number of the next message. */
	private long next;

	private long count;

	private long bytes;

	/** Whether the queue is dropping, so that it is logged once per episode. */
	private boolean full;

	BridgeQueue(Map<Long, byte[]> entries, long maxBytes, long maxMessages) {
		this.entries = entries;
		this.maxBytes = maxBytes;
		this.maxMessages = maxMessages;
		boolean first = true;
		// The store keeps keys in order: the first one is the head, the last one the tail.
		for (Map.Entry<Long, byte[]> entry : entries.entrySet()) {
			if (first) {
				this.head = entry.getKey();
				first = false;
			}
			this.next = entry.getKey() + 1;
			this.count++;
			this.bytes += entry.getValue().length;
		}
		if (first) {
			this.head = 0;
			this.next = 0;
		}
	}

	/**
	 * Appends a message, dropping the oldest ones while the queue would be too big.
	 * @return true when this append started dropping (for one log line per episode)
	 */
	synchronized boolean append(String topic, byte[] payload, int qos, boolean retain, long nowMillis) {
		if (this.discarded) {
			return false;
		}
		long sequence = this.next;
		byte[] stored = new QueuedMessage(sequence, topic, payload, qos, retain, nowMillis).encode();
		boolean dropping = false;
		while (this.count > 0 && (this.count + 1 > this.maxMessages || this.bytes + stored.length > this.maxBytes)) {
			removeEntry(this.head);
			advanceHead();
			this.dropped.increment();
			dropping = true;
		}
		if (stored.length > this.maxBytes) {
			// Larger than the whole queue may be: it cannot be kept.
			this.dropped.increment();
			return startDropping(true);
		}
		this.entries.put(sequence, stored);
		this.next = sequence + 1;
		this.count++;
		this.bytes += stored.length;
		this.enqueued.increment();
		notifyAll();
		return startDropping(dropping);
	}

	private boolean startDropping(boolean dropping) {
		boolean started = dropping && !this.full;
		this.full = dropping;
		return started;
	}

	/** The first message at or after {@code sequence}, waiting up to {@code waitMillis} for one. */
	synchronized QueuedMessage next(long sequence, long waitMillis) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
		while (true) {
			for (long s = Math.max(sequence, this.head); s < this.next; s++) {
				byte[] stored = this.entries.get(s);
				if (stored != null) {
					return QueuedMessage.decode(s, stored);
				}
			}
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return null;
			}
			TimeUnit.NANOSECONDS.timedWait(this, left);
		}
	}

	/** The remote acknowledged this message (or it was sent at QoS 0). */
	synchronized void remove(long sequence) {
		if (removeEntry(sequence)) {
			advanceHead();
		}
	}

	private boolean removeEntry(long sequence) {
		byte[] stored = this.entries.remove(sequence);
		if (stored == null) {
			return false;
		}
		this.count--;
		this.bytes -= stored.length;
		return true;
	}

	private void advanceHead() {
		while (this.head < this.next && !this.entries.containsKey(this.head)) {
			this.head++;
		}
	}

	/** New bounds (the bridge was edited); the next append drops what is over them. */
	synchronized void limit(long maxBytes, long maxMessages) {
		this.maxBytes = maxBytes;
		this.maxMessages = maxMessages;
	}

	/**
	 * The bridge was deleted: removes every waiting message and keeps nothing appended later.
	 * @return how many messages were removed
	 */
	synchronized long discard() {
		long removed = this.count;
		this.discarded = true;
		this.entries.clear();
		this.count = 0;
		this.bytes = 0;
		this.head = this.next;
		notifyAll();
		return removed;
	}

	synchronized long head() {
		return this.head;
	}

	synchronized long size() {
		return this.count;
	}

	synchronized long bytes() {
		return this.bytes;
	}

	/** Seconds since the oldest waiting message was queued, 0 when none waits. */
	synchronized double oldestAgeSeconds(long nowMillis) {
		for (long s = this.head; s < this.next; s++) {
			byte[] stored = this.entries.get(s);
			if (stored != null) {
				return Math.max(0, nowMillis - QueuedMessage.decode(s, stored).enqueuedAtMillis()) / 1000.0;
			}
		}
		return 0;
	}

	long enqueued() {
		return this.enqueued.sum();
	}

	long dropped() {
		return this.dropped.sum();
	}

}

package com.mqtthub.bench;

/**
 * The measurement window shared by every connection: messages sent or received between its start
 * and end count, those of the warm-up and the drain do not.
 */
final class RunClock {

	private volatile long windowStart = Long.MAX_VALUE;

	private volatile long windowEnd = Long.MAX_VALUE;

	void open(long startNanos, long endNanos) {
		this.windowEnd = endNanos;
		this.windowStart = startNanos;
	}

	boolean inWindow(long nanos) {
		return nanos >= this.windowStart && nanos < this.windowEnd;
	}

}

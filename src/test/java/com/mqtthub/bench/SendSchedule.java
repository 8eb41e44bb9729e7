package com.mqtthub.bench;

/**
 * When each message of one publisher is due at a fixed rate. The publishers of a run share the
 * rate and are staggered: publisher {@code i} of {@code n} starts {@code i} messages' worth of the
 * total rate late, so that together they send one message every {@code 1 / rate} seconds instead
 * of all {@code n} in the same instant once per period (bursts that queue up in the broker and in
 * the tool, and show up as latency of neither).
 */
final class SendSchedule {

	private final long startNanos;

	private final double periodNanos;

	private SendSchedule(long startNanos, double periodNanos) {
		this.startNanos = startNanos;
		this.periodNanos = periodNanos;
	}

	/** Publisher {@code index} of {@code publishers} sharing {@code totalRate} messages a second. */
	static SendSchedule of(long runStartNanos, long totalRate, int publishers, int index) {
		if (totalRate <= 0 || publishers <= 0 || index < 0 || index >= publishers) {
			throw new IllegalArgumentException("rate " + totalRate + ", publisher " + index + " of " + publishers);
		}
		double gap = 1e9 / totalRate;
		return new SendSchedule(runStartNanos + Math.round(index * gap), gap * publishers);
	}

	/** How many messages are due by {@code nowNanos}: the first one at the start. */
	long dueBy(long nowNanos) {
		return (nowNanos < this.startNanos) ? 0 : (long) ((nowNanos - this.startNanos) / this.periodNanos) + 1;
	}

	/** When message {@code sequence} (from 0) is due: the first instant {@link #dueBy} counts it. */
	long dueAt(long sequence) {
		// Rounded up, plus one nanosecond against floating-point error, so that a timer set for
		// this instant never wakes up to find the message not yet due.
		return this.startNanos + (long) Math.ceil(sequence * this.periodNanos) + 1;
	}

}

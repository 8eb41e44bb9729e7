package com.mqtthub.broker;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}. Thread safe.
 */
final class TokenBucket {

	private final double perNano;

	private final double burst;

	private double tokens;

	private long updated;

	TokenBucket(double perSecond, int burst, long nowNanos) {
		this.perNano = perSecond / 1_000_000_000d;
		this.burst = burst;
		this.tokens = burst;
		this.updated = nowNanos;
	}

	synchronized boolean tryTake(long nowNanos) {
		refill(nowNanos);
		if (this.tokens < 1) {
			return false;
		}
		this.tokens -= 1;
		return true;
	}

	/** Whether the bucket is back to full, so that forgetting it changes nothing. */
	synchronized boolean isFull(long nowNanos) {
		refill(nowNanos);
		return this.tokens >= this.burst;
	}

	private void refill(long nowNanos) {
		long elapsed = nowNanos - this.updated;
		if (elapsed > 0) {
			this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perNano);
			this.updated = nowNanos;
		}
	}

}

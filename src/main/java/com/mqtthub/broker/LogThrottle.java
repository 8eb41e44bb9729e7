package com.mqtthub.broker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a kind of log line through at a bounded rate, so that a client repeating what gets
 * logged cannot flood the log; counts the lines left out, for the next one to say. Thread safe.
 */
final class LogThrottle {

	private final TokenBucket bucket;

	private final AtomicLong leftOut = new AtomicLong();

	/**
	 * @param perSecond lines let through per second in the long run
	 * @param burst lines let through at once after a quiet spell
	 */
	LogThrottle(double perSecond, int burst) {
		this.bucket = new TokenBucket(perSecond, burst, System.nanoTime());
	}

	/**
	 * Asks to log one line now.
	 * @return -1 to leave it out; otherwise how many were left out since the last one logged
	 */
	long admit() {
		if (this.bucket.tryTake(System.nanoTime())) {
			return this.leftOut.getAndSet(0);
		}
		this.leftOut.incrementAndGet();
		return -1;
	}

}

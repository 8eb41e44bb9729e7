package com.mqtthub.broker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One network connection of the broker, unique for the lifetime of the process.
 */
public record ConnectionId(long value) {

	private static final AtomicLong next = new AtomicLong();

	static ConnectionId next() {
		return new ConnectionId(next.incrementAndGet());
	}

	@Override
	public String toString() {
		return Long.toString(this.value);
	}

}

package com.mqtthub.broker;

/**
 * Bounds on the credential checks of MQTT CONNECTs that cannot be answered from memory: a small
 * pool and queue for the slow password hashes, and token-bucket rates, per client address and in
 * total, applied before a check is queued. A CONNECT over any of them gets CONNACK 3.
 *
 * @param threads threads that verify password hashes (never the network threads)
 * @param queueCapacity checks that may wait for a thread
 * @param perAddressPerSecond checks started per second for one client address
 * @param perAddressBurst checks one address may start at once before its rate applies
 * @param globalPerSecond checks started per second in total
 * @param globalBurst checks that may start at once before the total rate applies
 */
public record ConnectCheckLimits(int threads, int queueCapacity, double perAddressPerSecond, int perAddressBurst,
		double globalPerSecond, int globalBurst) {

	public ConnectCheckLimits {
		if (threads < 1 || queueCapacity < 1 || perAddressBurst < 1 || globalBurst < 1 || !(perAddressPerSecond > 0)
				|| !(globalPerSecond > 0)) {
			throw new IllegalArgumentException("Connect check limits must be positive: " + threads + " threads, queue "
					+ queueCapacity + ", per address " + perAddressPerSecond + "/s burst " + perAddressBurst
					+ ", total " + globalPerSecond + "/s burst " + globalBurst);
		}
	}

}

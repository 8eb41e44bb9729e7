package com.mqtthub.broker;

import org.springframework.util.unit.DataSize;

/**
 * Checks at start that what the broker may hold in the heap fits in the heap the JVM was given
 * ({@code -Xmx}): the session queues kept in memory together, and with persistence off the
 * retained messages too. A budget that cannot fit would end in an out-of-memory error under
 * load, long after start; a clear refusal at start says which setting to change instead. The
 * defaults always fit: they follow the heap.
 */
final class HeapBudget {

	private HeapBudget() {
	}

	/**
	 * @param maxHeapBytes the most heap the JVM may use ({@link Runtime#maxMemory()})
	 * @throws IllegalStateException naming the settings when they cannot fit
	 */
	static void check(BrokerProperties properties, long maxHeapBytes) {
		long queues = properties.effectiveMaxQueuedBytesInMemory(maxHeapBytes).toBytes();
		if (queues > maxHeapBytes / 2) {
			throw new IllegalStateException("mqtthub.broker.max-queued-bytes-in-memory (" + megabytes(queues)
					+ ") must be at most half of the maximum heap (" + megabytes(maxHeapBytes)
					+ "): lower it, or give the JVM more heap (-Xmx in JAVA_OPTS)");
		}
		if (queues < properties.getMaxMessageSize().toBytes()) {
			throw new IllegalStateException("mqtthub.broker.max-queued-bytes-in-memory (" + megabytes(queues)
					+ ") must be at least mqtthub.broker.max-message-size ("
					+ megabytes(properties.getMaxMessageSize().toBytes()) + ")");
		}
		if (!properties.isPersistence()) {
			long retained = properties.effectiveRetainedMaxBytes(maxHeapBytes).toBytes();
			if (retained > maxHeapBytes - maxHeapBytes / 4 - queues) {
				throw new IllegalStateException("With persistence off retained messages stay in the heap: "
						+ "mqtthub.broker.retained.max-bytes (" + megabytes(retained)
						+ ") and mqtthub.broker.max-queued-bytes-in-memory (" + megabytes(queues)
						+ ") must together be at most three quarters of the maximum heap (" + megabytes(maxHeapBytes)
						+ "): lower them, or give the JVM more heap (-Xmx in JAVA_OPTS)");
			}
		}
	}

	private static String megabytes(long bytes) {
		return (bytes % DataSize.ofMegabytes(1).toBytes() == 0) ? DataSize.ofBytes(bytes).toMegabytes() + " MB"
				: String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1048576.0);
	}

}

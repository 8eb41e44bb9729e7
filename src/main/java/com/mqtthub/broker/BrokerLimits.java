package com.mqtthub.broker;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's limits and what they cost: open connections against the maximum, and the
 * messages dropped because a client did not read or a session's queue was full.
 */
public final class BrokerLimits {

	private final int maxConnections;

	private final int maxQueuedMessages;

	private final long slowClientBufferBytes;

	private final long maxQueuedBytes;

	private final long maxClientBacklogBytes;

	private final AtomicInteger connections = new AtomicInteger();

	private final LongAdder refusedConnections = new LongAdder();

	private final LongAdder droppedForSlowClients = new LongAdder();

	private final LongAdder droppedForFullQueues = new LongAdder();

	private final Map<Limit, LongAdder> refusals = new EnumMap<>(Limit.class);

	BrokerLimits(BrokerProperties properties) {
		this.maxConnections = properties.getMaxConnections();
		this.maxQueuedMessages = properties.getMaxQueuedMessages();
		this.slowClientBufferBytes = properties.getSlowClientBuffer().toBytes();
		this.maxQueuedBytes = properties.getMaxQueuedBytes().toBytes();
		this.maxClientBacklogBytes = properties.effectiveMaxClientBacklog().toBytes();
		for (Limit limit : Limit.values()) {
			this.refusals.put(limit, new LongAdder());
		}
	}

	/** Counts one refusal (or drop, or disconnect) because of {@code limit}. */
	void refused(Limit limit) {
		this.refusals.get(limit).increment();
	}

	/** Refusals because of {@code limit} since the start. */
	public long refusals(Limit limit) {
		return this.refusals.get(limit).sum();
	}

	/** Takes a connection slot; false when all are taken. */
	boolean tryConnect() {
		while (true) {
			int current = this.connections.get();
			if (current >= this.maxConnections) {
				this.refusedConnections.increment();
				refused(Limit.CONNECTIONS);
				return false;
			}
			if (this.connections.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	void disconnected() {
		this.connections.decrementAndGet();
	}

	void droppedForSlowClient() {
		this.droppedForSlowClients.increment();
	}

	void droppedForFullQueue() {
		this.droppedForFullQueues.increment();
	}

	/** A message dropped because it would take its session's queue past the byte cap. */
	void droppedForQueuedBytes() {
		this.droppedForFullQueues.increment();
		refused(Limit.QUEUED_BYTES);
	}

	int maxQueuedMessages() {
		return this.maxQueuedMessages;
	}

	long maxQueuedBytes() {
		return this.maxQueuedBytes;
	}

	long maxClientBacklogBytes() {
		return this.maxClientBacklogBytes;
	}

	long slowClientBufferBytes() {
		return this.slowClientBufferBytes;
	}

	/** MQTT connections that have sent CONNECT and are open. */
	public int connections() {
		return this.connections.get();
	}

	public int maxConnections() {
		return this.maxConnections;
	}

	/** CONNECTs refused because the maximum was reached. */
	public long refusedConnections() {
		return this.refusedConnections.sum();
	}

	/** QoS 0 messages dropped because their client did not read fast enough. */
	public long droppedForSlowClients() {
		return this.droppedForSlowClients.sum();
	}

	/** Messages dropped because the queue of their session was full. */
	public long droppedForFullQueues() {
		return this.droppedForFullQueues.sum();
	}

}

package com.mqtthub.broker;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's limits and what they cost: open connections against the maximum, and the
 * messages dropped because a client did not read or a session's queue was full.
 * <p>
 * A connection takes its slot when its socket is accepted, not at CONNECT, so that sockets that
 * never send one count too. A socket accepted while every slot is taken is kept only to answer its
 * CONNECT with CONNACK 3 (server unavailable), and only while fewer than {@value #REFUSAL_ROOM}
 * such sockets wait; beyond that it is closed at once.
 */
public final class BrokerLimits {

	/** Sockets beyond the maximum kept at once, only to be told CONNACK 3. */
	static final int REFUSAL_ROOM = 100;

	private final int maxConnections;

	private final int maxQueuedMessages;

	private final long slowClientBufferBytes;

	private final long maxQueuedBytes;

	private final long maxQueuedBytesInMemory;

	private final long maxClientBacklogBytes;

	private final int maxUnreleasedQos2;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger waitingForRefusal = new AtomicInteger();

	private final LongAdder refusedConnections = new LongAdder();

	private final LongAdder droppedForSlowClients = new LongAdder();

	private final LongAdder droppedForFullQueues = new LongAdder();

	private final Map<Limit, LongAdder> refusals = new EnumMap<>(Limit.class);

	private final LongAdder publisherPauses = new LongAdder();

	private final AtomicInteger pausedPublishers = new AtomicInteger();

	private final TopicLimits topics;

	BrokerLimits(BrokerProperties properties) {
		this.maxConnections = properties.getMaxConnections();
		this.maxQueuedMessages = properties.getMaxQueuedMessages();
		this.slowClientBufferBytes = properties.getSlowClientBuffer().toBytes();
		this.topics = new TopicLimits(properties.getMaxTopicLevels(), properties.getMaxTopicLength(),
				properties.getMaxFiltersPerSubscribe(), properties.getMaxSubscriptionsPerClient());
		this.maxQueuedBytes = properties.getMaxQueuedBytes().toBytes();
		this.maxQueuedBytesInMemory = properties.effectiveMaxQueuedBytesInMemory(Runtime.getRuntime().maxMemory())
			.toBytes();
		this.maxClientBacklogBytes = properties.effectiveMaxClientBacklog().toBytes();
		this.maxUnreleasedQos2 = properties.getMaxUnreleasedQos2();
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

	/** Takes a connection slot for a new socket; false (counted as a refusal) when all are taken. */
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

	/** Room to keep one more socket beyond the maximum until its CONNACK 3; false when there is none. */
	boolean tryWaitForRefusal() {
		if (this.waitingForRefusal.incrementAndGet() > REFUSAL_ROOM) {
			this.waitingForRefusal.decrementAndGet();
			return false;
		}
		return true;
	}

	/** A socket kept for its CONNACK 3 closed. */
	void refusalDone() {
		this.waitingForRefusal.decrementAndGet();
	}

	void droppedForSlowClient() {
		this.droppedForSlowClients.increment();
	}

	void droppedForFullQueue() {
		this.droppedForFullQueues.increment();
	}

	/** Back-pressure stopped reading from a publisher. */
	void publisherPaused() {
		this.publisherPauses.increment();
		this.pausedPublishers.incrementAndGet();
	}

	/** Back-pressure let a publisher go on (or its connection ended while held back). */
	void publisherResumed() {
		this.pausedPublishers.decrementAndGet();
	}

	/** Times back-pressure stopped reading from a publisher, since the start. */
	public long publisherPauses() {
		return this.publisherPauses.sum();
	}

	/** Publishers held back by back-pressure now. */
	public int pausedPublishers() {
		return this.pausedPublishers.get();
	}

	/** Bounds on topics, filters and subscriptions. */
	TopicLimits topics() {
		return this.topics;
	}

	/** A message dropped because it would take its session's queue past the byte cap. */
	void droppedForQueuedBytes() {
		this.droppedForFullQueues.increment();
		refused(Limit.QUEUED_BYTES);
	}

	/** A message dropped because the queues kept in memory hold the most bytes they may together. */
	void droppedForQueuedBytesInMemory() {
		this.droppedForFullQueues.increment();
		refused(Limit.QUEUED_BYTES_IN_MEMORY);
	}

	long maxQueuedBytesInMemory() {
		return this.maxQueuedBytesInMemory;
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

	int maxUnreleasedQos2() {
		return this.maxUnreleasedQos2;
	}

	long slowClientBufferBytes() {
		return this.slowClientBufferBytes;
	}

	/** Open MQTT connections that hold a slot, whether they have sent CONNECT yet or not. */
	public int connections() {
		return this.connections.get();
	}

	public int maxConnections() {
		return this.maxConnections;
	}

	/** Sockets accepted while every connection slot was taken. */
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

package io.moquette.broker;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * Caps the queue of every session: while it holds {@code max} messages, or a newer message would
 * take it past {@code maxBytes} (payload and topic), newer messages for it are dropped and
 * reported, so that one absent or slow client cannot fill the disk or memory.
 * <p>
 * With {@link #pressWith back-pressure} on, the queue of a connected session that goes above
 * the high-water mark asks for the publisher of each message routed into it to be paused
 * ({@link Pressure#press}), and lets them go ({@link Pressure#relieve}) once it is back at the
 * low-water mark. A queue whose subscriber has taken nothing for the longest pause stops
 * asking (it is left to fill up to the caps and drop, as without back-pressure) until it is
 * back at the low-water mark: a client that stops reading holds its publishers back once, for
 * that long at most. The queue of a session without a connection never asks: its client may
 * stay away for days, and nobody should wait for it.
 * <p>
 * The queues kept in memory (clean sessions, and every session when nothing is stored) also
 * share one budget of bytes, so that many sessions, each within its own cap, cannot fill the
 * heap together: a message that would take them past it is dropped and reported, and while they
 * hold more than the budget's high-water mark, a connected session's queue that holds anything
 * presses the publishers of what is routed into it (a queue on disk takes no heap and is not
 * counted).
 */
final class BoundedQueueRepository implements IQueueRepository {

	/** Where back-pressure on publishers is asked for (see {@link #pressWith}). */
	interface Pressure {

		/** Asks for nothing. */
		Pressure NONE = new Pressure() {

			@Override
			public Channel publisher() {
				return null;
			}

			@Override
			public Channel connectionOf(String clientId) {
				return null;
			}

			@Override
			public void press(Channel publisher, Channel subscriber) {
			}

			@Override
			public void relieve(Channel subscriber) {
			}

		};

		/** The connection of the client whose PUBLISH is being routed on this thread, or null. */
		Channel publisher();

		/** The connection of {@code clientId}'s session while it has one, else null. */
		Channel connectionOf(String clientId);

		/** {@code subscriber}'s queue is above the high-water mark with a message of {@code publisher}. */
		void press(Channel publisher, Channel subscriber);

		/** {@code subscriber}'s queue no longer holds its publishers back. */
		void relieve(Channel subscriber);

	}

	/**
	 * When a queue holds its publishers back.
	 * @param highMessages above this many messages a connected session's queue presses
	 * @param highBytes or above this many bytes
	 * @param lowMessages it lets its publishers go at this many messages or fewer
	 * @param lowBytes and this many bytes or fewer
	 * @param maxStallNanos a queue whose subscriber took nothing for this long stops pressing
	 */
	record WaterMarks(int highMessages, long highBytes, int lowMessages, long lowBytes, long maxStallNanos,
			long highBytesInMemory) {

	}

	/** How a stored queue's figures are kept beside it in the store. */
	interface StoredSizes {

		/** Messages in the stored queue of {@code clientId}. */
		long messages(String clientId);

		/** Bytes of those messages, as last recorded (0 when never recorded). */
		long bytes(String clientId);

		/** Records the byte count of the queue of {@code clientId}, in the same store as its messages. */
		LongConsumer bytesRecorder(String clientId);

	}

	/** The sizes of queues that keep their messages in memory: they start empty. */
	static final StoredSizes IN_MEMORY = new StoredSizes() {

		@Override
		public long messages(String clientId) {
			return 0;
		}

		@Override
		public long bytes(String clientId) {
			return 0;
		}

		@Override
		public LongConsumer bytesRecorder(String clientId) {
			return (bytes) -> {
			};
		}

	};

	private final IQueueRepository delegate;

	private final int max;

	private final long maxBytes;

	private final StoredSizes storedSizes;

	private final Runnable onDrop;

	private final Runnable onBytesDrop;

	private final long maxBytesInMemory;

	private final Runnable onMemoryDrop;

	/** Payload and topic bytes in all the queues kept in memory. */
	private final AtomicLong bytesInMemory = new AtomicLong();

	/** The open queue of each session, for the bytes waiting for it. */
	private final Map<String, BoundedQueue> open = new ConcurrentHashMap<>();

	private final boolean stored;

	/** Back-pressure on publishers: off until {@link #pressWith} (the marks are read per message). */
	private volatile WaterMarks marks;

	private volatile Pressure pressure = Pressure.NONE;

	/** Payloads of retained messages sent for a new subscription (see {@link MoquetteCore}). */
	private final Set<byte[]> retainedMarks;

	/**
	 * For each stored queue holding retained messages sent for a new subscription: the sequence
	 * number of its head, then those of the marked messages. Kept in the same store as the
	 * queues (and committed with them), so the marks survive a restart in step with the queue.
	 */
	private final Map<String, long[]> storedMarks;

	/**
	 * @param maxBytesInMemory most bytes in all the queues kept in memory together
	 * @param storedSizes what a session's queue already holds when it is opened, and where its
	 * byte count is kept
	 * @param onDrop called for every message dropped because the queue holds {@code max} messages
	 * @param onBytesDrop called for every message dropped because it would take the queue past
	 * {@code maxBytes}
	 * @param onMemoryDrop called for every message dropped because it would take the queues in
	 * memory past {@code maxBytesInMemory}
	 * @param stored whether the queues keep their messages in the store (rather than in memory)
	 * @param retainedMarks payloads that mark retained messages sent for a new subscription: a
	 * stored queue copies payloads, so it carries the mark over to the copy it hands out
	 * @param storedMarks where stored queues keep those marks (see {@link #storedMarks})
	 */
	BoundedQueueRepository(IQueueRepository delegate, int max, long maxBytes, long maxBytesInMemory,
			StoredSizes storedSizes, Runnable onDrop, Runnable onBytesDrop, Runnable onMemoryDrop, boolean stored,
			Set<byte[]> retainedMarks, Map<String, long[]> storedMarks) {
		this.maxBytesInMemory = maxBytesInMemory;
		this.onMemoryDrop = onMemoryDrop;
		this.delegate = delegate;
		this.max = max;
		this.maxBytes = maxBytes;
		this.storedSizes = storedSizes;
		this.onDrop = onDrop;
		this.onBytesDrop = onBytesDrop;
		this.stored = stored;
		this.retainedMarks = retainedMarks;
		this.storedMarks = storedMarks;
	}

	/**
	 * Turns back-pressure on for every queue: from now on a connected session's queue above the
	 * high-water mark asks {@code pressure} to hold back the publishers of what is routed into it.
	 */
	void pressWith(WaterMarks marks, Pressure pressure) {
		this.pressure = pressure;
		this.marks = marks;
	}

	/** Bytes (payloads and topics) waiting in the queue of {@code clientId}; 0 when it has none open. */
	long queuedBytes(String clientId) {
		BoundedQueue queue = this.open.get(clientId);
		return (queue != null) ? queue.bytes : 0;
	}

	/** Bytes (payloads and topics) in all the queues kept in memory. */
	long queuedBytesInMemory() {
		return this.bytesInMemory.get();
	}

	/** What a message costs against the byte cap: its payload and its topic. */
	static long sizeOf(SessionRegistry.EnqueuedMessage message) {
		if (message instanceof SessionRegistry.PublishedMessage published) {
			return (long) published.getPayload().readableBytes() + published.getTopic().toString().length();
		}
		return 0;
	}

	@Override
	public Set<String> listQueueNames() {
		return this.delegate.listQueueNames();
	}

	@Override
	public boolean containsQueue(String clientId) {
		return this.delegate.containsQueue(clientId);
	}

	@Override
	public SessionMessageQueue<SessionRegistry.EnqueuedMessage> getOrCreateQueue(String clientId) {
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = this.delegate.getOrCreateQueue(clientId);
		BoundedQueue previous = this.open.get(clientId);
		if (previous != null && previous.queue == queue) {
			// A queue in memory outlives the session's connection: it keeps its figures.
			return previous;
		}
		if (previous != null && !previous.inStore) {
			previous.setBytes(0);
		}
		BoundedQueue bounded = new BoundedQueue(clientId, queue, this.storedSizes.messages(clientId),
				this.storedSizes.bytes(clientId), this.storedSizes.bytesRecorder(clientId), this.stored);
		this.open.put(clientId, bounded);
		return bounded;
	}

	/** The same cap on a queue the engine made itself (the in-memory queue of a clean session). */
	SessionMessageQueue<SessionRegistry.EnqueuedMessage> bound(String clientId,
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue) {
		if (queue instanceof BoundedQueue) {
			return queue;
		}
		BoundedQueue bounded = new BoundedQueue(clientId, queue, 0, 0, IN_MEMORY.bytesRecorder(clientId), false);
		BoundedQueue previous = this.open.put(clientId, bounded);
		if (previous != null && !previous.inStore) {
			// Its bytes no longer count: only the queue in the map is ever emptied through it.
			previous.setBytes(0);
		}
		return bounded;
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	/** One session's queue with its size; used by that session's loop only. */
	private final class BoundedQueue implements SessionMessageQueue<SessionRegistry.EnqueuedMessage> {

		private final String clientId;

		private final SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue;

		private long size;

		/** Payload and topic bytes queued; written on the session's loop, read from anywhere. */
		private volatile long bytes;

		/** Keeps the byte count with a stored queue, so that it is right after a restart. */
		private final LongConsumer bytesRecorder;

		/** Whether the queue keeps its messages in the store. */
		private final boolean inStore;

		/** Sequence number of the message {@link #dequeue} hands out next (stored queues). */
		private long head;

		/** Sequence number the next enqueued message gets (stored queues). */
		private long tail;

		/**
		 * Sequence numbers, in order, of the queued messages that are retained messages sent for a
		 * new subscription (MQTT-3.3.1-8): the store keeps no RETAIN flag, so the copy handed out
		 * must carry the mark. Null while there are none (nearly always; never for a queue in memory).
		 */
		private ArrayDeque<Long> marked;

		/** The connection of this session for which publishers are held back, or null. */
		private Channel pressedFor;

		/** When the queue started holding publishers back for {@link #pressedFor}. */
		private long pressedSince;

		/** When the session last took a message out of the queue. */
		private long lastTaken = System.nanoTime();

		/** Its subscriber stalled while holding publishers back: no more until the queue is low again. */
		private boolean gaveUp;

		BoundedQueue(String clientId, SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue, long size,
				long bytes, LongConsumer bytesRecorder, boolean inStore) {
			this.clientId = clientId;
			this.queue = queue;
			this.size = size;
			this.bytes = bytes;
			this.bytesRecorder = bytesRecorder;
			this.inStore = inStore;
			long[] saved = inStore ? BoundedQueueRepository.this.storedMarks.get(clientId) : null;
			if (saved != null && saved.length > 0) {
				this.head = saved[0];
				for (int i = 1; i < saved.length; i++) {
					if (saved[i] >= this.head && saved[i] < this.head + size) {
						marks().addLast(saved[i]);
					}
				}
			}
			this.tail = this.head + size;
		}

		@Override
		public void enqueue(SessionRegistry.EnqueuedMessage message) {
			// Markers of QoS 2 flows in progress are always kept: dropping one would break the flow.
			if (message instanceof SessionRegistry.PublishedMessage) {
				if (this.size >= BoundedQueueRepository.this.max) {
					message.release();
					BoundedQueueRepository.this.onDrop.run();
					pressIfHigh();
					return;
				}
				long size = sizeOf(message);
				if (this.bytes + size > BoundedQueueRepository.this.maxBytes) {
					message.release();
					BoundedQueueRepository.this.onBytesDrop.run();
					pressIfHigh();
					return;
				}
				if (!this.inStore && size > 0 && BoundedQueueRepository.this.bytesInMemory.get()
						+ size > BoundedQueueRepository.this.maxBytesInMemory) {
					message.release();
					BoundedQueueRepository.this.onMemoryDrop.run();
					pressIfHigh();
					return;
				}
			}
			if (this.inStore) {
				if (isMarked(message)) {
					marks().addLast(this.tail);
					this.tail++;
					saveMarks();
				}
				else {
					this.tail++;
				}
			}
			SessionRegistry.EnqueuedMessage kept = this.inStore ? detached(message) : compact(message);
			this.queue.enqueue(kept);
			this.size++;
			addBytes(sizeOf(kept));
			if (kept instanceof SessionRegistry.PublishedMessage) {
				pressIfHigh();
			}
		}

		/**
		 * Above the high-water mark, asks for the publisher of the message being routed to be held
		 * back, unless the session has no connection, the message comes from the subscriber
		 * itself (its own acknowledgements would be held back too), or the subscriber took
		 * nothing for the longest pause.
		 */
		private void pressIfHigh() {
			WaterMarks marks = BoundedQueueRepository.this.marks;
			if (marks == null || this.gaveUp
					|| (this.size <= marks.highMessages() && this.bytes <= marks.highBytes() && !memoryHigh(marks))) {
				return;
			}
			Pressure pressure = BoundedQueueRepository.this.pressure;
			Channel publisher = pressure.publisher();
			if (publisher == null) {
				return;
			}
			Channel subscriber = pressure.connectionOf(this.clientId);
			if (subscriber == null || subscriber == publisher) {
				return;
			}
			long now = System.nanoTime();
			if (subscriber != this.pressedFor) {
				this.pressedFor = subscriber;
				this.pressedSince = now;
			}
			if (now - Math.max(this.lastTaken, this.pressedSince) > marks.maxStallNanos()) {
				this.gaveUp = true;
				relieve();
				return;
			}
			pressure.press(publisher, subscriber);
		}

		/** The queues in memory together are above their high-water mark and this one holds some of it. */
		private boolean memoryHigh(WaterMarks marks) {
			return !this.inStore && this.bytes > 0
					&& BoundedQueueRepository.this.bytesInMemory.get() > marks.highBytesInMemory();
		}

		/** Back at the low-water mark (or emptied): the publishers held back go on. */
		private void relieveIfLow() {
			WaterMarks marks = BoundedQueueRepository.this.marks;
			if (marks != null && this.size <= marks.lowMessages() && this.bytes <= marks.lowBytes()) {
				this.gaveUp = false;
				relieve();
			}
		}

		private void relieve() {
			Channel subscriber = this.pressedFor;
			if (subscriber != null) {
				this.pressedFor = null;
				BoundedQueueRepository.this.pressure.relieve(subscriber);
			}
		}

		private void addBytes(long delta) {
			if (delta != 0) {
				setBytes(Math.max(0, this.bytes + delta));
				this.bytesRecorder.accept(this.bytes);
			}
		}

		/** Sets the byte count, keeping the total of the queues in memory in step. */
		private void setBytes(long bytes) {
			long before = this.bytes;
			this.bytes = bytes;
			if (!this.inStore) {
				BoundedQueueRepository.this.bytesInMemory.addAndGet(bytes - before);
			}
		}

		/**
		 * A queue in memory keeps exactly its payloads: a decoded payload is a slice of the buffer
		 * its packet was read into (direct memory, often larger than the message), which a
		 * waiting message would otherwise hold on to. A payload that is a whole array of its own
		 * (a retained message sent for a new subscription, whose array marks it) is kept as is.
		 */
		private SessionRegistry.EnqueuedMessage compact(SessionRegistry.EnqueuedMessage message) {
			if (message instanceof SessionRegistry.PublishedMessage published) {
				io.netty.buffer.ByteBuf payload = published.getPayload();
				boolean exact = payload.hasArray() && payload.arrayOffset() + payload.readerIndex() == 0
						&& payload.array().length == payload.readableBytes();
				if (!exact) {
					return detached(message);
				}
			}
			return message;
		}

		private ArrayDeque<Long> marks() {
			if (this.marked == null) {
				this.marked = new ArrayDeque<>(4);
			}
			return this.marked;
		}

		private boolean hasMarks() {
			return this.marked != null && !this.marked.isEmpty();
		}

		/** Stores the marks, or forgets them when there are none (the usual case: no write). */
		private void saveMarks() {
			if (!hasMarks()) {
				BoundedQueueRepository.this.storedMarks.remove(this.clientId);
				return;
			}
			long[] saved = new long[this.marked.size() + 1];
			saved[0] = this.head;
			int i = 1;
			for (long sequence : this.marked) {
				saved[i++] = sequence;
			}
			BoundedQueueRepository.this.storedMarks.put(this.clientId, saved);
		}

		private boolean isMarked(SessionRegistry.EnqueuedMessage message) {
			return message instanceof SessionRegistry.PublishedMessage published && published.getPayload().hasArray()
					&& BoundedQueueRepository.this.retainedMarks.contains(published.getPayload().array());
		}

		/**
		 * A stored queue keeps the message until the store writes it, and hands out a new one
		 * read back from the store: the buffer the engine retained for the queue would never be
		 * released. The queue gets a copy on the heap instead, and the engine's buffer is
		 * released now.
		 */
		private SessionRegistry.EnqueuedMessage detached(SessionRegistry.EnqueuedMessage message) {
			SessionRegistry.EnqueuedMessage copy = copyOf(message);
			if (copy != message) {
				message.release();
			}
			return copy;
		}

		/**
		 * Before the store has written a message out, it hands back the very object it was given;
		 * the engine releases what it sends while the store (committing on its own thread) may
		 * still be writing that object. So the store's messages never leave it: each side gets a
		 * copy of its own.
		 */
		private SessionRegistry.EnqueuedMessage copyOf(SessionRegistry.EnqueuedMessage message) {
			if (!(message instanceof SessionRegistry.PublishedMessage published)) {
				return message;
			}
			return new SessionRegistry.PublishedMessage(published.getTopic(), published.getPublishingQos(),
					Unpooled.wrappedBuffer(ByteBufUtil.getBytes(published.getPayload())), false);
		}

		@Override
		public SessionRegistry.EnqueuedMessage dequeue() {
			SessionRegistry.EnqueuedMessage message = this.queue.dequeue();
			if (message != null && this.size > 0) {
				this.size--;
			}
			if (message != null) {
				addBytes(-sizeOf(message));
				this.lastTaken = System.nanoTime();
				relieveIfLow();
			}
			if (!this.inStore || message == null) {
				return message;
			}
			long sequence = this.head++;
			boolean retained = hasMarks() && this.marked.peekFirst() == sequence;
			if (retained) {
				this.marked.pollFirst();
			}
			if (retained || hasMarks()) {
				saveMarks();
			}
			SessionRegistry.EnqueuedMessage copy = copyOf(message);
			if (retained && copy instanceof SessionRegistry.PublishedMessage published) {
				BoundedQueueRepository.this.retainedMarks.add(published.getPayload().array());
			}
			return copy;
		}

		@Override
		public boolean isEmpty() {
			return this.queue.isEmpty();
		}

		@Override
		public void closeAndPurge() {
			this.queue.closeAndPurge();
			this.size = 0;
			setBytes(0);
			boolean hadMarks = hasMarks();
			this.marked = null;
			if (this.inStore && hadMarks) {
				saveMarks();
			}
			this.gaveUp = false;
			relieve();
			BoundedQueueRepository.this.open.remove(this.clientId, this);
		}

	}

}

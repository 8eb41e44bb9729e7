package io.moquette.broker;

import java.util.Set;
import java.util.function.ToLongFunction;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Caps the queue of every session: while it holds {@code max} messages, newer messages for it
 * are dropped and reported, so that one absent or slow client cannot fill the disk or memory.
 */
final class BoundedQueueRepository implements IQueueRepository {

	private final IQueueRepository delegate;

	private final int max;

	private final ToLongFunction<String> storedSize;

	private final Runnable onDrop;

	private final boolean stored;

	/** Payloads of retained messages sent for a new subscription (see {@link MoquetteCore}). */
	private final Set<byte[]> retainedMarks;

	/**
	 * @param storedSize how many messages a session's queue already holds when it is opened
	 * @param onDrop called for every message dropped
	 * @param stored whether the queues keep their messages in the store (rather than in memory)
	 * @param retainedMarks payloads that mark retained messages sent for a new subscription: a
	 * stored queue copies payloads, so it carries the mark over to the copy it hands out
	 */
	BoundedQueueRepository(IQueueRepository delegate, int max, ToLongFunction<String> storedSize, Runnable onDrop,
			boolean stored, Set<byte[]> retainedMarks) {
		this.delegate = delegate;
		this.max = max;
		this.storedSize = storedSize;
		this.onDrop = onDrop;
		this.stored = stored;
		this.retainedMarks = retainedMarks;
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
		return new BoundedQueue(this.delegate.getOrCreateQueue(clientId), this.storedSize.applyAsLong(clientId),
				this.stored);
	}

	/** The same cap on a queue the engine made itself (the in-memory queue of a clean session). */
	SessionMessageQueue<SessionRegistry.EnqueuedMessage> bound(
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue) {
		return (queue instanceof BoundedQueue) ? queue : new BoundedQueue(queue, 0, false);
	}

	@Override
	public void close() {
		this.delegate.close();
	}

	/** One session's queue with its size; used by that session's loop only. */
	private final class BoundedQueue implements SessionMessageQueue<SessionRegistry.EnqueuedMessage> {

		private final SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue;

		private long size;

		/** Whether the queue keeps its messages in the store. */
		private final boolean inStore;

		/** Messages stored before this process opened the queue: they come out first, unmarked. */
		private long unmarked;

		/**
		 * For each message this process put in a stored queue, in order: whether it is a retained
		 * message sent for a new subscription (MQTT-3.3.1-8), whose mark the copy must carry.
		 */
		private final java.util.ArrayDeque<Boolean> marked = new java.util.ArrayDeque<>();

		BoundedQueue(SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue, long size, boolean inStore) {
			this.queue = queue;
			this.size = size;
			this.inStore = inStore;
			this.unmarked = size;
		}

		@Override
		public void enqueue(SessionRegistry.EnqueuedMessage message) {
			// Markers of QoS 2 flows in progress are always kept: dropping one would break the flow.
			if (this.size >= BoundedQueueRepository.this.max && message instanceof SessionRegistry.PublishedMessage) {
				message.release();
				BoundedQueueRepository.this.onDrop.run();
				return;
			}
			if (this.inStore) {
				this.marked.addLast(isMarked(message));
			}
			this.queue.enqueue(this.inStore ? detached(message) : message);
			this.size++;
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
			if (!this.inStore || message == null) {
				return message;
			}
			boolean retained;
			if (this.unmarked > 0) {
				this.unmarked--;
				retained = false;
			}
			else {
				retained = Boolean.TRUE.equals(this.marked.pollFirst());
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
			this.unmarked = 0;
			this.marked.clear();
		}

	}

}

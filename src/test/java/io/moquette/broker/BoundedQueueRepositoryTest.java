package io.moquette.broker;

import java.util.concurrent.atomic.AtomicInteger;

import io.moquette.broker.subscriptions.Topic;
import io.moquette.persistence.H2QueueRepository;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedQueueRepositoryTest {

	/** Each message: 99 payload bytes and a 1-byte topic. */
	private static final int MESSAGE = 100;

	private final AtomicInteger droppedForCount = new AtomicInteger();

	private final AtomicInteger droppedForBytes = new AtomicInteger();

	private BoundedQueueRepository repository(IQueueRepository delegate, int maxMessages, long maxBytes,
			BoundedQueueRepository.StoredSizes sizes, boolean stored) {
		return new BoundedQueueRepository(delegate, maxMessages, maxBytes, Long.MAX_VALUE, sizes,
				this.droppedForCount::incrementAndGet, this.droppedForBytes::incrementAndGet,
				this.droppedForBytes::incrementAndGet, stored, java.util.Collections.emptySet(), new java.util.HashMap<>());
	}

	private static SessionRegistry.PublishedMessage message(int number) {
		byte[] payload = new byte[MESSAGE - 1];
		payload[0] = (byte) number;
		return new SessionRegistry.PublishedMessage(new Topic("t"), MqttQoS.AT_LEAST_ONCE,
				Unpooled.wrappedBuffer(payload), false);
	}

	private static int numberOf(SessionRegistry.EnqueuedMessage message) {
		try {
			return ((SessionRegistry.PublishedMessage) message).getPayload().getByte(0);
		}
		finally {
			message.release();
		}
	}

	@Test
	void newerMessagesBeyondTheByteCapAreDroppedAndCountedWhileTheCountIsKeptUpToDate() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, 2 * MESSAGE + 50,
				BoundedQueueRepository.IN_MEMORY, false);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		queue.enqueue(message(1));
		queue.enqueue(message(2));
		queue.enqueue(message(3));
		assertThat(this.droppedForBytes).hasValue(1);
		assertThat(this.droppedForCount).hasValue(0);
		assertThat(repository.queuedBytes("c")).isEqualTo(2 * MESSAGE);
		assertThat(numberOf(queue.dequeue())).isEqualTo(1);
		assertThat(repository.queuedBytes("c")).isEqualTo(MESSAGE);
		queue.enqueue(message(4));
		assertThat(repository.queuedBytes("c")).isEqualTo(2 * MESSAGE);
		queue.closeAndPurge();
		assertThat(repository.queuedBytes("c")).isZero();
	}

	@Test
	void theCountCapStillHolds() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 2, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		for (int i = 1; i <= 3; i++) {
			queue.enqueue(message(i));
		}
		assertThat(this.droppedForCount).hasValue(1);
		assertThat(this.droppedForBytes).hasValue(0);
		queue.closeAndPurge();
	}

	@Test
	void aQueueInMemoryKeepsACopyOfItsOwnInsteadOfTheBufferThePacketWasReadInto() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.bound("c", new InMemoryQueue());
		ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(4096);
		read.writeBytes(new byte[4096]);
		read.setByte(1000, 7);
		ByteBuf payload = read.retainedSlice(1000, 10);
		read.release();
		// The engine retains what it queues.
		SessionRegistry.PublishedMessage queued = new SessionRegistry.PublishedMessage(new Topic("t"),
				MqttQoS.AT_LEAST_ONCE, payload, false);
		queued.retain();
		queue.enqueue(queued);
		assertThat(payload.refCnt()).as("only the engine's own reference is left").isEqualTo(1);
		payload.release();
		assertThat(read.refCnt()).as("the read buffer is free").isZero();
		SessionRegistry.PublishedMessage out = (SessionRegistry.PublishedMessage) queue.dequeue();
		try {
			assertThat(out.getPayload().hasArray()).isTrue();
			assertThat(ByteBufUtil.getBytes(out.getPayload())).hasSize(10).startsWith((byte) 7);
		}
		finally {
			out.release();
		}
	}

	@Test
	void aStoredQueueKeepsItsByteCountInTheStoreForTheNextStart() {
		MVStore store = MVStore.open(null);
		try {
			BoundedQueueRepository first = repository(new H2QueueRepository(store), 100, 3 * MESSAGE,
					new MoquetteCore.StoredQueueSizes(store), true);
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = first.getOrCreateQueue("c");
			queue.enqueue(message(1));
			queue.enqueue(message(2));
			assertThat(first.queuedBytes("c")).isEqualTo(2 * MESSAGE);

			BoundedQueueRepository next = repository(new H2QueueRepository(store), 100, 3 * MESSAGE,
					new MoquetteCore.StoredQueueSizes(store), true);
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> reopened = next.getOrCreateQueue("c");
			assertThat(next.queuedBytes("c")).isEqualTo(2 * MESSAGE);
			reopened.enqueue(message(3));
			reopened.enqueue(message(4));
			assertThat(this.droppedForBytes).hasValue(1);
			assertThat(numberOf(reopened.dequeue())).isEqualTo(1);
			assertThat(next.queuedBytes("c")).isEqualTo(2 * MESSAGE);
			reopened.closeAndPurge();
			assertThat(next.queuedBytes("c")).isZero();
		}
		finally {
			store.close();
		}
	}

	/** Records what a queue asks of the publishers, with a settable publisher and subscriber. */
	private static final class RecordedPressure implements BoundedQueueRepository.Pressure {

		io.netty.channel.Channel publisher;

		io.netty.channel.Channel subscriber;

		final java.util.List<String> asked = new java.util.ArrayList<>();

		@Override
		public io.netty.channel.Channel publisher() {
			return this.publisher;
		}

		@Override
		public io.netty.channel.Channel connectionOf(String clientId) {
			return this.subscriber;
		}

		@Override
		public void press(io.netty.channel.Channel publisher, io.netty.channel.Channel subscriber) {
			this.asked.add("press");
		}

		@Override
		public void relieve(io.netty.channel.Channel subscriber) {
			this.asked.add("relieve");
		}

	}

	private static final long NO_STALL_LIMIT = Long.MAX_VALUE;

	/** Marks: above 3 messages (or 10 messages' bytes) presses, at 1 message (and bytes) relieves. */
	private static BoundedQueueRepository.WaterMarks marks(long maxStallNanos) {
		return new BoundedQueueRepository.WaterMarks(3, 10 * MESSAGE, 1, 10 * MESSAGE, maxStallNanos, Long.MAX_VALUE);
	}

	@Test
	void aConnectedSessionsQueueAboveTheHighWaterMarkPressesItsPublishersUntilBackAtTheLowWaterMark() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		RecordedPressure pressure = new RecordedPressure();
		pressure.publisher = new io.netty.channel.embedded.EmbeddedChannel();
		pressure.subscriber = new io.netty.channel.embedded.EmbeddedChannel();
		repository.pressWith(marks(NO_STALL_LIMIT), pressure);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		for (int i = 1; i <= 3; i++) {
			queue.enqueue(message(i));
		}
		assertThat(pressure.asked).as("at the high-water mark, not above it").isEmpty();
		queue.enqueue(message(4));
		queue.enqueue(message(5));
		assertThat(pressure.asked).containsExactly("press", "press");

		numberOf(queue.dequeue());
		numberOf(queue.dequeue());
		numberOf(queue.dequeue());
		assertThat(pressure.asked).as("above the low-water mark still").containsExactly("press", "press");
		numberOf(queue.dequeue());
		assertThat(pressure.asked).containsExactly("press", "press", "relieve");
		numberOf(queue.dequeue());
		assertThat(pressure.asked).as("once").containsExactly("press", "press", "relieve");
		queue.closeAndPurge();
	}

	@Test
	void theQueueOfASessionWithoutConnectionMessagesOfNoClientAndASubscribersOwnNeverPress() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		RecordedPressure pressure = new RecordedPressure();
		repository.pressWith(marks(NO_STALL_LIMIT), pressure);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		pressure.publisher = new io.netty.channel.embedded.EmbeddedChannel();
		for (int i = 1; i <= 5; i++) {
			queue.enqueue(message(i));
		}
		// Offline (no connection): nobody waits for a client that may stay away for days.
		assertThat(pressure.asked).isEmpty();
		pressure.subscriber = new io.netty.channel.embedded.EmbeddedChannel();
		pressure.publisher = null;
		queue.enqueue(message(6));
		// Published by the broker itself (bridges, the admin API, wills): nobody to hold back.
		assertThat(pressure.asked).isEmpty();
		pressure.publisher = pressure.subscriber;
		queue.enqueue(message(7));
		// Its own messages: holding it back would hold back its acknowledgements too.
		assertThat(pressure.asked).isEmpty();
		queue.closeAndPurge();
	}

	@Test
	void aQueueWhoseSubscriberTakesNothingStopsPressingUntilItIsBackAtTheLowWaterMark() throws Exception {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		RecordedPressure pressure = new RecordedPressure();
		pressure.publisher = new io.netty.channel.embedded.EmbeddedChannel();
		pressure.subscriber = new io.netty.channel.embedded.EmbeddedChannel();
		repository.pressWith(marks(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50)), pressure);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		for (int i = 1; i <= 4; i++) {
			queue.enqueue(message(i));
		}
		assertThat(pressure.asked).containsExactly("press");
		Thread.sleep(100);
		queue.enqueue(message(5));
		// Stalled: its publishers go on, and it fills up to the cap as without back-pressure.
		assertThat(pressure.asked).containsExactly("press", "relieve");
		queue.enqueue(message(6));
		numberOf(queue.dequeue());
		queue.enqueue(message(7));
		assertThat(pressure.asked).as("taking one is not enough").containsExactly("press", "relieve");

		while (!queue.isEmpty()) {
			numberOf(queue.dequeue());
		}
		queue.enqueue(message(8));
		queue.enqueue(message(9));
		queue.enqueue(message(10));
		queue.enqueue(message(11));
		assertThat(pressure.asked).as("back at the low-water mark: it presses again")
			.containsExactly("press", "relieve", "press");
		queue.closeAndPurge();
		assertThat(pressure.asked).as("emptied").containsExactly("press", "relieve", "press", "relieve");
	}

	@Test
	void theByteHighWaterMarkPressesToo() {
		BoundedQueueRepository repository = repository(new MemoryQueueRepository(), 100, Long.MAX_VALUE,
				BoundedQueueRepository.IN_MEMORY, false);
		RecordedPressure pressure = new RecordedPressure();
		pressure.publisher = new io.netty.channel.embedded.EmbeddedChannel();
		pressure.subscriber = new io.netty.channel.embedded.EmbeddedChannel();
		repository.pressWith(new BoundedQueueRepository.WaterMarks(100, 2 * MESSAGE, 100, MESSAGE, NO_STALL_LIMIT, Long.MAX_VALUE),
				pressure);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = repository.getOrCreateQueue("c");
		queue.enqueue(message(1));
		queue.enqueue(message(2));
		assertThat(pressure.asked).isEmpty();
		queue.enqueue(message(3));
		assertThat(pressure.asked).containsExactly("press");
		numberOf(queue.dequeue());
		assertThat(pressure.asked).containsExactly("press");
		numberOf(queue.dequeue());
		assertThat(pressure.asked).containsExactly("press", "relieve");
		queue.closeAndPurge();
	}

	private final AtomicInteger droppedForMemory = new AtomicInteger();

	/** Queues of 100 messages and 10 messages' bytes each; {@code inMemory} bytes for the queues in memory. */
	private BoundedQueueRepository withMemoryBudget(IQueueRepository delegate, long inMemory,
			BoundedQueueRepository.StoredSizes sizes, boolean stored) {
		return new BoundedQueueRepository(delegate, 100, 10 * MESSAGE, inMemory, sizes,
				this.droppedForCount::incrementAndGet, this.droppedForBytes::incrementAndGet,
				this.droppedForMemory::incrementAndGet, stored, java.util.Collections.emptySet(),
				new java.util.HashMap<>());
	}

	@Test
	void theQueuesInMemoryShareOneBudgetBeyondWhichNewerMessagesAreDroppedAndCounted() {
		BoundedQueueRepository repository = withMemoryBudget(new MemoryQueueRepository(), 3 * MESSAGE,
				BoundedQueueRepository.IN_MEMORY, false);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> first = repository.getOrCreateQueue("a");
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> second = repository.bound("b", new InMemoryQueue());
		first.enqueue(message(1));
		first.enqueue(message(2));
		second.enqueue(message(3));
		assertThat(repository.queuedBytesInMemory()).isEqualTo(3 * MESSAGE);
		second.enqueue(message(4));
		first.enqueue(message(5));
		assertThat(this.droppedForMemory).as("each queue is far below its own cap").hasValue(2);
		assertThat(this.droppedForBytes).hasValue(0);

		assertThat(numberOf(first.dequeue())).isEqualTo(1);
		assertThat(repository.queuedBytesInMemory()).isEqualTo(2 * MESSAGE);
		second.enqueue(message(6));
		assertThat(repository.queuedBytesInMemory()).isEqualTo(3 * MESSAGE);
		second.closeAndPurge();
		assertThat(repository.queuedBytesInMemory()).as("a purged queue gives its bytes back").isEqualTo(MESSAGE);
		first.closeAndPurge();
		assertThat(repository.queuedBytesInMemory()).isZero();
	}

	@Test
	void aQueueInMemoryOpenedAgainKeepsItsBytesCountedOnce() {
		BoundedQueueRepository repository = withMemoryBudget(new MemoryQueueRepository(), 3 * MESSAGE,
				BoundedQueueRepository.IN_MEMORY, false);
		repository.getOrCreateQueue("a").enqueue(message(1));
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> again = repository.getOrCreateQueue("a");
		again.enqueue(message(2));
		assertThat(repository.queuedBytesInMemory()).isEqualTo(2 * MESSAGE);
		assertThat(repository.queuedBytes("a")).isEqualTo(2 * MESSAGE);
		numberOf(again.dequeue());
		numberOf(again.dequeue());
		assertThat(repository.queuedBytesInMemory()).isZero();

		SessionMessageQueue<SessionRegistry.EnqueuedMessage> clean = repository.bound("c", new InMemoryQueue());
		clean.enqueue(message(3));
		// The same client connects again with a new clean session: the old queue is gone.
		repository.bound("c", new InMemoryQueue()).enqueue(message(4));
		assertThat(repository.queuedBytesInMemory()).isEqualTo(MESSAGE);
	}

	@Test
	void storedQueuesTakeNoHeapAndAreNotCountedAgainstTheBudget() {
		MVStore store = MVStore.open(null);
		try {
			BoundedQueueRepository repository = withMemoryBudget(new H2QueueRepository(store), MESSAGE,
					new MoquetteCore.StoredQueueSizes(store), true);
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> stored = repository.getOrCreateQueue("s");
			stored.enqueue(message(1));
			stored.enqueue(message(2));
			assertThat(repository.queuedBytesInMemory()).isZero();
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> clean = repository.bound("c", new InMemoryQueue());
			clean.enqueue(message(3));
			clean.enqueue(message(4));
			assertThat(this.droppedForMemory).hasValue(1);
			assertThat(repository.queuedBytes("s")).isEqualTo(2 * MESSAGE);
			stored.closeAndPurge();
			clean.closeAndPurge();
		}
		finally {
			store.close();
		}
	}

	@Test
	void aboveTheMemoryHighWaterMarkEveryConnectedQueueThatHoldsSomethingPresses() {
		BoundedQueueRepository repository = withMemoryBudget(new MemoryQueueRepository(), 100 * MESSAGE,
				BoundedQueueRepository.IN_MEMORY, false);
		RecordedPressure pressure = new RecordedPressure();
		pressure.publisher = new io.netty.channel.embedded.EmbeddedChannel();
		pressure.subscriber = new io.netty.channel.embedded.EmbeddedChannel();
		// Each queue alone presses only above 50 messages; together above 2 messages' bytes.
		repository.pressWith(new BoundedQueueRepository.WaterMarks(50, 50 * MESSAGE, 10, 10 * MESSAGE,
				NO_STALL_LIMIT, 2 * MESSAGE), pressure);
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> first = repository.getOrCreateQueue("a");
		SessionMessageQueue<SessionRegistry.EnqueuedMessage> second = repository.getOrCreateQueue("b");
		first.enqueue(message(1));
		second.enqueue(message(2));
		assertThat(pressure.asked).isEmpty();
		second.enqueue(message(3));
		assertThat(pressure.asked).containsExactly("press");
		numberOf(second.dequeue());
		assertThat(pressure.asked).as("each queue is at its own low-water mark").containsExactly("press", "relieve");
		numberOf(second.dequeue());
		first.enqueue(message(4));
		assertThat(pressure.asked).as("back at the mark").containsExactly("press", "relieve");
		first.closeAndPurge();
		second.closeAndPurge();
	}

}

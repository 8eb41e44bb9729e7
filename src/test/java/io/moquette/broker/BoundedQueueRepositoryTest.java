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
		return new BoundedQueueRepository(delegate, maxMessages, maxBytes, sizes, this.droppedForCount::incrementAndGet,
				this.droppedForBytes::incrementAndGet, stored, java.util.Collections.emptySet(),
				new java.util.HashMap<>());
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

}

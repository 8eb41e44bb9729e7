package com.mqtthub.broker;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class HeapBudgetTest {

	private static final long HEAP = DataSize.ofMegabytes(128).toBytes();

	@Test
	void theQueuesInMemoryGetAQuarterOfTheMaximumHeapByDefault() {
		BrokerProperties properties = new BrokerProperties();
		assertThat(properties.effectiveMaxQueuedBytesInMemory(HEAP)).isEqualTo(DataSize.ofMegabytes(32));
		assertThat(properties.effectiveMaxQueuedBytesInMemory(DataSize.ofGigabytes(4).toBytes()))
			.isEqualTo(DataSize.ofGigabytes(1));
		properties.setMaxQueuedBytesInMemory(DataSize.ofMegabytes(10));
		assertThat(properties.effectiveMaxQueuedBytesInMemory(HEAP)).isEqualTo(DataSize.ofMegabytes(10));
		assertThatNoException().isThrownBy(() -> HeapBudget.check(properties, HEAP));
	}

	@Test
	void theDefaultsFitInASmallHeap() {
		assertThatNoException().isThrownBy(() -> HeapBudget.check(new BrokerProperties(), HEAP));
	}

	@Test
	void refusesABudgetForTheQueuesOfMoreThanHalfTheHeap() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxQueuedBytesInMemory(DataSize.ofMegabytes(65));
		assertThatIllegalStateException().isThrownBy(() -> HeapBudget.check(properties, HEAP))
			.withMessage("mqtthub.broker.max-queued-bytes-in-memory (65 MB) must be at most half of the maximum heap "
					+ "(128 MB): lower it, or give the JVM more heap (-Xmx in JAVA_OPTS)");
		properties.setMaxQueuedBytesInMemory(DataSize.ofMegabytes(64));
		assertThatNoException().isThrownBy(() -> HeapBudget.check(properties, HEAP));
	}

	@Test
	void refusesABudgetForTheQueuesSmallerThanOneMessage() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxQueuedBytesInMemory(DataSize.ofKilobytes(512));
		assertThatIllegalStateException().isThrownBy(() -> HeapBudget.check(properties, HEAP))
			.withMessageContaining("must be at least mqtthub.broker.max-message-size (1 MB)");
	}

	@Test
	void withPersistenceOffTheDefaultTotalForRetainedMessagesFollowsTheHeap() {
		BrokerProperties properties = new BrokerProperties();
		assertThat(properties.effectiveRetainedMaxBytes(HEAP)).as("on disk").isEqualTo(DataSize.ofMegabytes(256));
		properties.setPersistence(false);
		assertThat(properties.effectiveRetainedMaxBytes(HEAP)).isEqualTo(DataSize.ofMegabytes(32));
		assertThat(properties.effectiveRetainedMaxBytes(DataSize.ofMegabytes(512).toBytes()))
			.isEqualTo(DataSize.ofMegabytes(128));
		assertThat(properties.effectiveRetainedMaxBytes(DataSize.ofGigabytes(4).toBytes()))
			.as("never more than on disk")
			.isEqualTo(DataSize.ofMegabytes(256));
		assertThatNoException().isThrownBy(() -> HeapBudget.check(properties, HEAP));
		properties.setMaxQueuedBytesInMemory(DataSize.ofMegabytes(64));
		assertThatNoException().as("beside the largest budget for the queues")
			.isThrownBy(() -> HeapBudget.check(properties, HEAP));
	}

	@Test
	void withPersistenceOffARetainedTotalSetTooLargeIsRefused() {
		BrokerProperties properties = new BrokerProperties();
		properties.setPersistence(false);
		properties.getRetained().setMaxBytes(DataSize.ofMegabytes(256));
		assertThatIllegalStateException().isThrownBy(() -> HeapBudget.check(properties, HEAP))
			.withMessage("With persistence off retained messages stay in the heap: mqtthub.broker.retained.max-bytes "
					+ "(256 MB) and mqtthub.broker.max-queued-bytes-in-memory (32 MB) must together be at most three "
					+ "quarters of the maximum heap (128 MB): lower them, or give the JVM more heap (-Xmx in JAVA_OPTS)");
		properties.getRetained().setMaxBytes(DataSize.ofMegabytes(64));
		assertThatNoException().isThrownBy(() -> HeapBudget.check(properties, HEAP));
		properties.getRetained().setMaxBytes(DataSize.ofMegabytes(65));
		assertThatIllegalStateException().isThrownBy(() -> HeapBudget.check(properties, HEAP));
		properties.setPersistence(true);
		assertThatNoException().as("on disk, they take no heap").isThrownBy(() -> HeapBudget.check(properties, HEAP));
	}

}

package com.mqtthub.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fan-in at QoS 1 into a subscriber that reads slowly but steadily, with a small queue cap
 * ({@value #QUEUE_CAP} messages): without back-pressure the queue fills within a fraction of a
 * second and newer messages, already acknowledged to their publishers, are dropped. With it the
 * publishers are slowed down instead: every message acknowledged to a publisher reaches the
 * subscriber, nothing is dropped, and a client publishing to a topic of its own beside them is
 * served throughout. A persistent session without connection, in contrast, holds nobody back:
 * its queue keeps the oldest messages up to the cap and drops (and counts) the rest.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.max-queued-messages=" + BackPressureIT.QUEUE_CAP,
		"mqtthub.broker.back-pressure.high-water-percent=25", "mqtthub.broker.back-pressure.low-water-percent=10",
		"mqtthub.broker.back-pressure.max-pause=5s" })
class BackPressureIT {

	static final int QUEUE_CAP = 400;

	private static final int PUBLISHERS = 4;

	private static final int MESSAGES_PER_PUBLISHER = 400;

	/** Messages each publisher has on their way at once (its in-flight window). */
	private static final int WINDOW = 20;

	/** How long the slow subscriber takes over each message before it acknowledges it. */
	private static final long SUBSCRIBER_DELAY_MICROS = 1500;

	private static final Duration TIME_LIMIT = Duration.ofSeconds(40);

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void fastPublishersAreSlowedToWhatTheSubscriberTakesAndNothingAcknowledgedIsLost() throws Exception {
		String topic = "fan-in/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		BrokerLimits limits = this.broker.getLimits();
		long droppedBefore = limits.droppedForFullQueues();
		long pausesBefore = limits.publisherPauses();
		Set<String> acknowledged = ConcurrentHashMap.newKeySet();
		Set<String> received = ConcurrentHashMap.newKeySet();
		AtomicLong duplicates = new AtomicLong();
		AtomicBoolean publishing = new AtomicBoolean(true);
		long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
		ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + 1);
		Bystander.Report report;
		try (Bystander bystander = Bystander.start(this.broker.getTcpPort(), HubTest.ADMIN, HubTest.ADMIN_PASSWORD,
				"bystander/" + UUID.randomUUID(), Duration.ofMillis(50));
				RawMqttClient subscriber = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			assertThat(subscriber.connect(new Connect("slow-" + UUID.randomUUID()))).isZero();
			assertThat(subscriber.subscribeAndAwait(1, topic, 1)).containsExactly(1);
			Future<?> reading = threads.submit(() -> {
				readSlowly(subscriber, received, duplicates, publishing, deadline);
				return null;
			});
			List<Future<?>> publishers = new ArrayList<>();
			for (int p = 0; p < PUBLISHERS; p++) {
				String prefix = "p" + p + "-";
				publishers.add(threads.submit(() -> {
					publish(tcp, topic, prefix, acknowledged, deadline);
					return null;
				}));
			}
			for (Future<?> publisher : publishers) {
				publisher.get(TIME_LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
			}
			publishing.set(false);
			reading.get(TIME_LIMIT.toSeconds() + 10, TimeUnit.SECONDS);
			report = bystander.stop(Duration.ofSeconds(10));
		}
		finally {
			threads.shutdownNow();
		}
		long pauses = limits.publisherPauses() - pausesBefore;
		System.out.printf("Fan-in: %d acknowledged, %d received (%d duplicates), %d dropped, %d publisher pauses%n",
				acknowledged.size(), received.size(), duplicates.get(), limits.droppedForFullQueues() - droppedBefore,
				pauses);
		System.out.println("Bystander: " + report);
		assertThat(acknowledged).as("every message was acknowledged in time").hasSize(PUBLISHERS * MESSAGES_PER_PUBLISHER);
		assertThat(received).as("every acknowledged message arrived").containsAll(acknowledged);
		assertThat(limits.droppedForFullQueues() - droppedBefore).as("messages dropped at the full queue").isZero();
		assertThat(pauses).as("publishers were held back").isPositive();
		assertThat(limits.pausedPublishers()).as("nobody is held back any more").isZero();
		assertThat(report.unharmed()).as("bystander unharmed: %s", report).isTrue();
	}

	/** Publishes with {@value #WINDOW} messages on their way at once; records each one acknowledged. */
	private static void publish(String tcp, String topic, String prefix, Set<String> acknowledged, long deadline)
			throws Exception {
		try (MqttTestClient client = MqttTestClient.connect(tcp, prefix + UUID.randomUUID())) {
			ArrayDeque<IMqttDeliveryToken> window = new ArrayDeque<>();
			ArrayDeque<String> names = new ArrayDeque<>();
			for (int i = 0; i < MESSAGES_PER_PUBLISHER && System.nanoTime() < deadline; i++) {
				if (window.size() >= WINDOW) {
					settle(window, names, acknowledged, deadline);
				}
				String name = prefix + i;
				MqttMessage message = new MqttMessage(name.getBytes(StandardCharsets.UTF_8));
				message.setQos(1);
				window.add(client.paho().getTopic(topic).publish(message));
				names.add(name);
			}
			while (!window.isEmpty() && System.nanoTime() < deadline) {
				settle(window, names, acknowledged, deadline);
			}
		}
	}

	private static void settle(ArrayDeque<IMqttDeliveryToken> window, ArrayDeque<String> names,
			Set<String> acknowledged, long deadline) throws Exception {
		IMqttDeliveryToken oldest = window.poll();
		String name = names.poll();
		oldest.waitForCompletion(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
		if (oldest.isComplete() && oldest.getException() == null) {
			acknowledged.add(name);
		}
	}

	/** Takes its time over every message, then acknowledges it, until the publishers are done and it has all. */
	private static void readSlowly(RawMqttClient subscriber, Set<String> received, AtomicLong duplicates,
			AtomicBoolean publishing, long deadline) throws Exception {
		while (System.nanoTime() < deadline) {
			Packet packet = subscriber.poll(Duration.ofMillis(500));
			if (packet == null) {
				if (!publishing.get()) {
					return;
				}
				continue;
			}
			if (packet.type() != RawMqttClient.PUBLISH) {
				continue;
			}
			if (!received.add(packet.payload())) {
				duplicates.incrementAndGet();
			}
			TimeUnit.MICROSECONDS.sleep(SUBSCRIBER_DELAY_MICROS);
			subscriber.ack(RawMqttClient.PUBACK, packet.publishPacketId());
		}
	}

	@Test
	void aPersistentSessionWithoutConnectionHoldsNobodyBackAndDropsBeyondItsCap() throws Exception {
		String topic = "offline/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		String absentId = "absent-" + UUID.randomUUID();
		BrokerLimits limits = this.broker.getLimits();
		try (MqttTestClient absent = MqttTestClient.connect(tcp, absentId, MqttTestClient.options(false))) {
			absent.subscribe(topic, 1);
		}
		int messages = QUEUE_CAP + 200;
		long droppedBefore = limits.droppedForFullQueues();
		long pausesBefore = limits.publisherPauses();
		try (MqttTestClient publisher = MqttTestClient.connect(tcp, "to-absent-" + UUID.randomUUID())) {
			for (int i = 0; i < messages; i++) {
				publisher.publish(topic, "m" + i, 1, false);
			}
		}
		assertThat(limits.publisherPauses() - pausesBefore).as("publisher pauses").isZero();
		assertThat(limits.droppedForFullQueues() - droppedBefore).as("dropped beyond the cap")
			.isEqualTo(messages - QUEUE_CAP);

		try (MqttTestClient back = MqttTestClient.connect(tcp, absentId, MqttTestClient.options(false))) {
			List<MqttTestClient.Received> kept = back.awaitMessages(QUEUE_CAP, Duration.ofSeconds(20));
			assertThat(kept).hasSize(QUEUE_CAP);
			assertThat(kept.get(0).payload()).as("the oldest are kept").isEqualTo("m0");
			assertThat(kept.get(QUEUE_CAP - 1).payload()).isEqualTo("m" + (QUEUE_CAP - 1));
		}
	}

}

package com.mqtthub.broker;

import java.time.Duration;
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

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QoS 0 publishers whose only subscriber is behind are held back instead of having their
 * messages read, routed and dropped: a subscriber that reads steadily but slowly gets most of
 * what clients flooding it publish (QoS 0 may still be shed: what the engine has on its way when
 * they stop may be more than the subscriber's slow-client buffer holds). One that stops reading holds them back once, for the longest
 * pause ({@value #MAX_PAUSE_SECONDS} s here) at most: after that its messages are dropped
 * (counted) and the publishers go on at full speed.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.slow-client-buffer=256KB",
		"mqtthub.broker.back-pressure.max-pause=" + QosZeroBackPressureIT.MAX_PAUSE_SECONDS + "s" })
class QosZeroBackPressureIT {

	static final int MAX_PAUSE_SECONDS = 3;

	private static final int PUBLISHERS = 4;

	private static final int MESSAGES_PER_PUBLISHER = 5000;

	/** About 10 MB for a subscriber that does not read: more than the sockets on the way hold. */
	private static final int MESSAGES_TO_SLEEPER = 10_000;

	/** About 1 KB per message: 20 MB from the publishers together, far beyond what sockets buffer. */
	private static final String PADDING = "x".repeat(1000);

	private static final Duration TIME_LIMIT = Duration.ofSeconds(60);

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void floodingQosZeroPublishersAreHeldBackForASubscriberThatReadsSlowly() throws Exception {
		String topic = "flood/" + UUID.randomUUID();
		BrokerLimits limits = this.broker.getLimits();
		long pausesBefore = limits.publisherPauses();
		long droppedBefore = limits.droppedForSlowClients();
		Set<String> received = ConcurrentHashMap.newKeySet();
		AtomicBoolean publishing = new AtomicBoolean(true);
		long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
		ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + 1);
		try (RawMqttClient subscriber = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			assertThat(subscriber.connect(new Connect("reader-" + UUID.randomUUID()))).isZero();
			assertThat(subscriber.subscribeAndAwait(1, topic, 0)).containsExactly(0);
			Future<?> reading = threads.submit(() -> {
				readSlowly(subscriber, received, publishing, deadline);
				return null;
			});
			List<Future<?>> publishers = new ArrayList<>();
			for (int p = 0; p < PUBLISHERS; p++) {
				String prefix = "p" + p + "-";
				publishers.add(threads.submit(() -> {
					flood(topic, prefix);
					return null;
				}));
			}
			for (Future<?> publisher : publishers) {
				publisher.get(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
			}
			publishing.set(false);
			reading.get(TIME_LIMIT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			threads.shutdownNow();
		}
		int published = PUBLISHERS * MESSAGES_PER_PUBLISHER;
		long pauses = limits.publisherPauses() - pausesBefore;
		System.out.printf("QoS 0 fan-in: %d published, %d received, %d dropped, %d publisher pauses%n", published,
				received.size(), limits.droppedForSlowClients() - droppedBefore, pauses);
		assertThat(pauses).as("publishers were held back").isPositive();
		// Without back-pressure under two fifths arrived (what the sockets on the way hold, and
		// what the subscriber reads meanwhile); with it about nine tenths.
		assertThat(received.size()).as("messages received of %d", published).isGreaterThan(published / 2);
		assertThat(limits.pausedPublishers()).as("nobody is held back any more").isZero();
	}

	@Test
	void aSubscriberThatStopsReadingHoldsItsPublisherBackOnceAtMost() throws Exception {
		String stalledTopic = "stalled/" + UUID.randomUUID();
		String liveTopic = "live/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		BrokerLimits limits = this.broker.getLimits();
		long droppedBefore = limits.droppedForSlowClients();
		long pausesBefore = limits.publisherPauses();
		ExecutorService thread = Executors.newSingleThreadExecutor();
		try (RawMqttClient sleeper = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
				MqttTestClient healthy = MqttTestClient.connect(tcp, "healthy-" + UUID.randomUUID());
				RawMqttClient publisher = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			assertThat(sleeper.connect(new Connect("sleeper-" + UUID.randomUUID()))).isZero();
			assertThat(sleeper.subscribeAndAwait(1, stalledTopic, 0)).containsExactly(0);
			healthy.subscribe(liveTopic, 0);
			assertThat(publisher.connect(new Connect("steady-" + UUID.randomUUID()))).isZero();
			// From here on the sleeper reads nothing.
			Future<?> publishing = thread.submit(() -> {
				for (int i = 0; i < MESSAGES_TO_SLEEPER; i++) {
					publisher.publish(stalledTopic, i + PADDING, 0, false, 0, false);
				}
				publisher.publish(liveTopic, "after the flood", 0, false, 0, false);
				return null;
			});

			// Held back once for the longest pause, the publisher's messages then flow again
			// (held back for every message, it would take minutes).
			assertThat(healthy.awaitMessages(1, Duration.ofSeconds(MAX_PAUSE_SECONDS * 5L))).hasSize(1);
			publishing.get(10, TimeUnit.SECONDS);
			assertThat(limits.publisherPauses() - pausesBefore).as("held back").isPositive();
			assertThat(limits.droppedForSlowClients() - droppedBefore).as("dropped for the sleeper").isPositive();
		}
		finally {
			thread.shutdownNow();
		}
	}

	/** Publishes as fast as the socket takes it. */
	private void flood(String topic, String prefix) throws Exception {
		try (RawMqttClient publisher = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			assertThat(publisher.connect(new Connect(prefix + UUID.randomUUID()))).isZero();
			for (int i = 0; i < MESSAGES_PER_PUBLISHER; i++) {
				publisher.publish(topic, prefix + i + "-" + PADDING, 0, false, 0, false);
			}
			// A round trip: everything before it was read.
			publisher.pingReq();
			assertThat(publisher.readSkipping(RawMqttClient.PUBLISH).type()).isEqualTo(RawMqttClient.PINGRESP);
		}
	}

	/** Takes its time over every message until the publishers are done and nothing more comes. */
	private static void readSlowly(RawMqttClient subscriber, Set<String> received, AtomicBoolean publishing,
			long deadline) throws Exception {
		while (System.nanoTime() < deadline) {
			Packet packet = subscriber.poll(Duration.ofMillis(1000));
			if (packet == null) {
				if (!publishing.get()) {
					return;
				}
				continue;
			}
			if (packet.type() == RawMqttClient.PUBLISH) {
				String payload = packet.payload();
				received.add(payload.substring(0, payload.indexOf('-', payload.indexOf('-') + 1)));
				if (received.size() % 10 == 0) {
					TimeUnit.MILLISECONDS.sleep(1);
				}
			}
		}
	}

}

package com.mqtthub.bridge;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The remote goes away for {@value #OUTAGE_SECONDS_DEFAULT} s in the middle of a stream of
 * {@value #MESSAGES_DEFAULT} QoS 1 messages published at the hub, and comes back: every message
 * arrives at the remote, in order per topic.
 */
@HubTest
class BridgeOutageIT {

	private static final int MESSAGES_DEFAULT = 10_000;

	private static final int OUTAGE_SECONDS_DEFAULT = 30;

	private static final int MESSAGES = Integer.getInteger("bridge.outage.messages", MESSAGES_DEFAULT);

	/** How long the remote stays away. */
	private static final Duration OUTAGE = Duration
		.ofSeconds(Integer.getInteger("bridge.outage.seconds", OUTAGE_SECONDS_DEFAULT));

	/** The stream is paced to last a little longer than the outage, which starts at a quarter of it. */
	private static final Duration STREAM = OUTAGE.plusSeconds(10);

	private static final String[] TOPICS = { "stream/a", "stream/b" };

	private static final String SUBSCRIBER = "outage-subscriber";

	private static Mosquitto remote;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private BridgeService bridges;

	@BeforeAll
	static void startRemote() throws Exception {
		remote = Mosquitto.startForTest(null);
	}

	@AfterAll
	static void stopRemote() throws Exception {
		Mosquitto.closeIfStarted(remote);
	}

	@DynamicPropertySource
	static void bridge(DynamicPropertyRegistry registry) {
		Mosquitto.registerBridge(registry, 0, "cloud", () -> remote.uri(), "stream/#");
		registry.add("mqtthub.bridges[0].topics[0].qos", () -> 1);
	}

	private MqttTestClient subscriber() throws Exception {
		MqttTestClient subscriber = MqttTestClient.connect(remote.uri(), SUBSCRIBER,
				MqttTestClient.anonymousOptions(false));
		subscriber.subscribe("stream/#", 1);
		return subscriber;
	}

	@Test
	void everyMessageArrivesInOrderAfterTheRemoteComesBack() throws Exception {
		RemoteStream stream = new RemoteStream();
		MqttTestClient before = subscriber();
		AtomicInteger published = new AtomicInteger();
		CompletableFuture<Void> publishing;
		try (MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"outage-publisher")) {
			publishing = CompletableFuture.runAsync(() -> {
				try {
					long start = System.nanoTime();
					for (int i = 0; i < MESSAGES; i++) {
						long due = start + STREAM.toNanos() * i / MESSAGES;
						long early = due - System.nanoTime();
						if (early > 0) {
							TimeUnit.NANOSECONDS.sleep(early);
						}
						// Acknowledged by the hub: from here on it must reach the remote.
						publisher.publish(TOPICS[i % TOPICS.length], Integer.toString(i), 1, false);
						published.incrementAndGet();
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			awaitPublished(published, MESSAGES / 4);
			remote.stop();
			stream.add(before.drain());
			before.close();
			Thread.sleep(OUTAGE.toMillis());
			int duringOutage = published.get() - MESSAGES / 4;
			System.out.printf("Bridge outage: the remote was away for %d s, %d messages published meanwhile%n",
					OUTAGE.toSeconds(), duringOutage);
			BridgeLink link = this.bridges.link("cloud").orElseThrow();
			assertThat(link.state()).isIn(BridgeState.CONNECTING, BridgeState.BACKING_OFF);
			assertThat(link.queue().size()).as("queued while the remote is away").isPositive();
			assertThat(duringOutage).as("published while the remote was away").isGreaterThan(MESSAGES / 2);
			remote.start();
			publishing.get(STREAM.plusMinutes(2).toSeconds(), TimeUnit.SECONDS);
		}
		try (MqttTestClient after = subscriber()) {
			long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
			while (stream.distinct() < MESSAGES && System.nanoTime() < deadline) {
				stream.add(after.drain());
				Thread.sleep(50);
			}
			Thread.sleep(500);
			stream.add(after.drain());
		}
		System.out.printf("Bridge outage: %d messages, %d arrived, %d duplicates%n", MESSAGES, stream.distinct(),
				stream.duplicates());
		assertThat(stream.distinct()).as("distinct messages at the remote").isEqualTo(MESSAGES);
		assertThat(stream.outOfOrder()).as("out of order per topic").isEmpty();
		// Only messages in flight when the remote went away may come twice: from the bridge to the
		// remote (its window of 10) and from the remote to this subscriber (Mosquitto's window of
		// 20), both QoS 1, which delivers at least once.
		assertThat(stream.duplicates()).isLessThanOrEqualTo(10 + 20);
	}

	private static void awaitPublished(AtomicInteger published, int count) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
		while (published.get() < count && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(published.get()).isGreaterThanOrEqualTo(count);
	}

}

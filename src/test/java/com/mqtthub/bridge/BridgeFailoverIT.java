package com.mqtthub.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

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
 * Two remotes, the first one down at the start: both bridges fail over to the second; once the
 * first is up, each reconnect of the in-order bridge goes to the first again, while the
 * round-robin bridge goes to the address after the one it used last.
 */
@HubTest
class BridgeFailoverIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static Mosquitto first;

	private static Mosquitto second;

	@Autowired
	private BridgeService bridges;

	@Autowired
	private EmbeddedBroker broker;

	@BeforeAll
	static void startRemotes() throws Exception {
		first = Mosquitto.configure(Path.of("target/test-data/mosquitto-" + UUID.randomUUID()), null);
		second = Mosquitto.start(Path.of("target/test-data/mosquitto-" + UUID.randomUUID()), null);
	}

	@AfterAll
	static void stopRemotes() throws Exception {
		if (first != null) {
			first.close();
		}
		if (second != null) {
			second.close();
		}
	}

	@DynamicPropertySource
	static void bridges(DynamicPropertyRegistry registry) {
		bridge(registry, 0, "ordered", "in-order");
		bridge(registry, 1, "rotating", "round-robin");
	}

	private static void bridge(DynamicPropertyRegistry registry, int index, String name, String failover) {
		String at = "mqtthub.bridges[" + index + "].";
		registry.add(at + "name", () -> name);
		registry.add(at + "addresses[0]", () -> first.uri());
		registry.add(at + "addresses[1]", () -> second.uri());
		registry.add(at + "failover", () -> failover);
		registry.add(at + "reconnect.initial-delay", () -> "200ms");
		registry.add(at + "reconnect.max-delay", () -> "1s");
		registry.add(at + "topics[0].filter", () -> name + "/#");
	}

	@Test
	void inOrderGoesBackToTheFirstAndRoundRobinTakesTurns() throws Exception {
		BridgeLink ordered = this.bridges.link("ordered").orElseThrow();
		BridgeLink rotating = this.bridges.link("rotating").orElseThrow();
		assertThat(awaitConnected(ordered)).as("the first is down").isEqualTo(second.uri());
		assertThat(awaitConnected(rotating)).as("the first is down").isEqualTo(second.uri());
		assertDelivered("rotating", second);

		first.start();
		assertThat(reconnect(ordered)).isEqualTo(first.uri());
		assertThat(reconnect(rotating)).as("after the second comes the first").isEqualTo(first.uri());
		assertDelivered("rotating", first);
		assertThat(reconnect(ordered)).isEqualTo(first.uri());
		assertThat(reconnect(rotating)).as("after the first comes the second").isEqualTo(second.uri());
		assertThat(reconnect(rotating)).isEqualTo(first.uri());
	}

	/** A message published at the hub arrives at the remote the bridge is connected to. */
	private void assertDelivered(String bridge, Mosquitto remote) throws Exception {
		try (MqttTestClient subscriber = MqttTestClient.connect(remote.uri(), "sub-" + UUID.randomUUID(),
				MqttTestClient.anonymousOptions(true));
				MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
						"pub-" + UUID.randomUUID())) {
			subscriber.subscribe(bridge + "/#", 1);
			publisher.publish(bridge + "/x", "hello", 1, false);
			assertThat(subscriber.awaitMessage(WAIT).payload()).isEqualTo("hello");
		}
	}

	/** Pauses and resumes the bridge, so that it connects anew; returns where it connected. */
	private static String reconnect(BridgeLink link) throws InterruptedException {
		link.pause();
		await(link, BridgeState.PAUSED);
		link.resume();
		return awaitConnected(link);
	}

	private static String awaitConnected(BridgeLink link) throws InterruptedException {
		await(link, BridgeState.CONNECTED);
		return link.connectedAddress();
	}

	private static void await(BridgeLink link, BridgeState state) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (link.state() != state && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(link.state()).as(link.name()).isEqualTo(state);
	}

}

package com.mqtthub.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each bridge's state is published, retained, on {@code $SYS/broker/bridges/<name>/state}: a
 * subscriber sees the changes as the remote goes away and comes back, and as the bridge is
 * paused and resumed; {@code #} does not see them and no client can publish a false one.
 */
@HubTest
class BridgeStatusTopicIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String STATES = "$SYS/broker/bridges/+/state";

	private static final ObjectMapper json = new ObjectMapper();

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
		Mosquitto.registerBridge(registry, 0, "cloud", () -> remote.uri(), "up/#");
		registry.add("mqtthub.bridges[1].name", () -> "spare");
		registry.add("mqtthub.bridges[1].addresses[0]", () -> "tcp://127.0.0.1:1");
		registry.add("mqtthub.bridges[1].enabled", () -> false);
		registry.add("mqtthub.bridges[1].topics[0].filter", () -> "up/#");
	}

	private MqttTestClient local(String id) throws Exception {
		return MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), id + "-" + UUID.randomUUID());
	}

	@Test
	void theStateTopicFollowsTheBridge() throws Exception {
		try (MqttTestClient everything = local("everything"); MqttTestClient watcher = local("watcher")) {
			everything.subscribe("#", 1);
			watcher.subscribe(STATES, 1);
			JsonNode connected = awaitState(watcher, "cloud", "CONNECTED");
			assertThat(connected.get("address").asString()).isEqualTo(remote.uri());
			assertThat(connected.get("lastError").isNull()).isTrue();
			assertThat(connected.get("addresses").get(0).asString()).isEqualTo(remote.uri());
			Instant connectedSince = Instant.parse(connected.get("since").asString());

			remote.stop();
			JsonNode backingOff = awaitState(watcher, "cloud", "BACKING_OFF");
			assertThat(backingOff.get("lastError").asString()).isNotBlank();
			assertThat(backingOff.get("address").isNull()).isTrue();
			assertThat(Instant.parse(backingOff.get("since").asString())).isAfterOrEqualTo(connectedSince);
			remote.start();
			awaitState(watcher, "cloud", "CONNECTED");

			BridgeLink link = this.bridges.link("cloud").orElseThrow();
			link.pause();
			awaitState(watcher, "cloud", "PAUSED");
			link.resume();
			awaitState(watcher, "cloud", "CONNECTED");

			List<Received> all = everything.drain();
			assertThat(all).as("'#' does not match $SYS topics").noneMatch((m) -> m.topic().startsWith("$"));
		}
		// Retained: a late subscriber learns each bridge's current state at once.
		try (MqttTestClient late = local("late")) {
			late.subscribe(STATES, 1);
			List<Received> current = late.awaitMessages(2, WAIT);
			assertThat(current).extracting(Received::topic)
				.containsExactlyInAnyOrder("$SYS/broker/bridges/cloud/state", "$SYS/broker/bridges/spare/state");
			for (Received message : current) {
				assertThat(message.message().isRetained()).isTrue();
				String expected = message.topic().contains("/cloud/") ? "CONNECTED" : "DISABLED";
				assertThat(json.readTree(message.message().getPayload()).get("state").asString()).isEqualTo(expected);
			}
		}
	}

	@Test
	void clientsCannotPublishAState() throws Exception {
		try (MqttTestClient watcher = local("watcher")) {
			watcher.subscribe("$SYS/broker/bridges/spare/state", 1);
			awaitState(watcher, "spare", "DISABLED");
			try (MqttTestClient forger = local("forger")) {
				forger.publish("$SYS/broker/bridges/spare/state", "{\"state\":\"CONNECTED\"}", 0, true);
				Thread.sleep(500);
			}
			catch (Exception ex) {
				// refused: the hub closes the forger's connection
			}
			assertThat(watcher.drain()).as("the false state reached no one").isEmpty();
		}
		try (MqttTestClient late = local("late")) {
			late.subscribe("$SYS/broker/bridges/spare/state", 1);
			assertThat(json.readTree(late.awaitMessage(WAIT).message().getPayload()).get("state").asString())
				.isEqualTo("DISABLED");
		}
	}

	@Test
	void aRemovedBridgeTakesItsStateAlong() throws Exception {
		BridgesProperties.Bridge gone = copy("gone");
		this.bridges.put(gone, null, BridgeService.Source.DATABASE, null);
		try (MqttTestClient watcher = local("watcher")) {
			watcher.subscribe("$SYS/broker/bridges/gone/state", 1);
			awaitState(watcher, "gone", "DISABLED");
			this.bridges.remove("gone");
			Received deleted = watcher.awaitMessage(WAIT);
			assertThat(deleted.message().getPayload()).isEmpty();
		}
		try (MqttTestClient late = local("late")) {
			late.subscribe("$SYS/broker/bridges/gone/state", 1);
			Thread.sleep(500);
			assertThat(late.drain()).as("no retained state for a removed bridge").isEmpty();
		}
	}

	private BridgesProperties.Bridge copy(String name) {
		BridgesProperties.Bridge bridge = new BridgesProperties.Bridge();
		bridge.setName(name);
		bridge.setAddresses(List.of("tcp://127.0.0.1:1"));
		bridge.setEnabled(false);
		BridgesProperties.TopicRule rule = new BridgesProperties.TopicRule();
		rule.setFilter("up/#");
		bridge.setTopics(new ArrayList<>(List.of(rule)));
		return bridge;
	}

	/** Reads state messages until this bridge is in this state; fails with what was seen. */
	private static JsonNode awaitState(MqttTestClient watcher, String bridge, String state) throws Exception {
		long deadline = System.nanoTime() + WAIT.toNanos();
		List<String> seen = new ArrayList<>();
		while (System.nanoTime() < deadline) {
			Received message;
			try {
				message = watcher.awaitMessage(Duration.ofMillis(200));
			}
			catch (AssertionError none) {
				continue;
			}
			seen.add(message.toString());
			if (message.topic().equals("$SYS/broker/bridges/" + bridge + "/state")) {
				JsonNode status = json.readTree(message.message().getPayload());
				assertThat(status.get("bridge").asString()).isEqualTo(bridge);
				if (state.equals(status.get("state").asString())) {
					return status;
				}
			}
		}
		throw new AssertionError("Bridge " + bridge + " did not report " + state + "; seen: " + seen);
	}

}

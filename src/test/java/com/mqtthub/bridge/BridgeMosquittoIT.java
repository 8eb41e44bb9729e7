package com.mqtthub.bridge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.time.Duration;
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

import com.mqtthub.testing.WebSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bridge from the running hub to a real Mosquitto: each direction, both ways without echoes,
 * prefix remapping, every QoS, and retained messages with their deletion.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class BridgeMosquittoIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Long enough for an echo or a stray copy to show up, were there one. */
	private static final Duration SETTLE = Duration.ofSeconds(1);

	private static final String REMOTE_PASSWORD = "remote-secret-4711";

	private static final ObjectMapper json = new ObjectMapper();

	private static Mosquitto remote;

	@LocalServerPort
	private int port;

	@Autowired
	private MeterRegistry registry;

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
		String at = "mqtthub.bridges[0].";
		registry.add(at + "name", () -> "edge");
		registry.add(at + "addresses[0]", () -> remote.uri());
		registry.add(at + "reconnect.initial-delay", () -> "200ms");
		registry.add(at + "reconnect.max-delay", () -> "1s");
		// The test Mosquitto lets everyone in; the password is there to be kept secret.
		registry.add(at + "username", () -> "edge-user");
		registry.add(at + "password", () -> REMOTE_PASSWORD);
		rule(registry, 0, "out/#", "out", 2, "", "");
		rule(registry, 1, "in/#", "in", 2, "", "");
		rule(registry, 2, "both/#", "both", 1, "", "");
		rule(registry, 3, "#", "out", 1, "site/", "sites/a/");
		rule(registry, 4, "#", "in", 1, "cmd/", "commands/a/");
	}

	private static void rule(DynamicPropertyRegistry registry, int index, String filter, String direction, int qos,
			String localPrefix, String remotePrefix) {
		String at = "mqtthub.bridges[0].topics[" + index + "].";
		registry.add(at + "filter", () -> filter);
		registry.add(at + "direction", () -> direction);
		registry.add(at + "qos", () -> qos);
		registry.add(at + "local-prefix", () -> localPrefix);
		registry.add(at + "remote-prefix", () -> remotePrefix);
	}

	private MqttTestClient local(String id) throws Exception {
		return MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), id + "-" + UUID.randomUUID());
	}

	private MqttTestClient remote(String id) throws Exception {
		return MqttTestClient.connect(remote.uri(), id + "-" + UUID.randomUUID(),
				MqttTestClient.anonymousOptions(true));
	}

	private void awaitConnected() throws InterruptedException {
		BridgeLink link = this.bridges.link("edge").orElseThrow();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (link.state() != BridgeState.CONNECTED && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(link.state()).isEqualTo(BridgeState.CONNECTED);
	}

	@Test
	void localMessagesGoOutAtEachQos() throws Exception {
		awaitConnected();
		try (MqttTestClient subscriber = remote("sub"); MqttTestClient publisher = local("pub")) {
			subscriber.subscribe("out/#", 2);
			for (int qos = 0; qos <= 2; qos++) {
				publisher.publish("out/q" + qos, "m" + qos, qos, false);
				Received received = subscriber.awaitMessage(WAIT);
				assertThat(received.topic()).isEqualTo("out/q" + qos);
				assertThat(received.payload()).isEqualTo("m" + qos);
				assertThat(received.message().getQos()).isEqualTo(qos);
			}
			publisher.publish("elsewhere/x", "not bridged", 1, false);
			Thread.sleep(SETTLE.toMillis());
			assertThat(subscriber.drain()).isEmpty();
		}
	}

	@Test
	void remoteMessagesComeInAtEachQos() throws Exception {
		awaitConnected();
		try (MqttTestClient subscriber = local("sub"); MqttTestClient publisher = remote("pub")) {
			subscriber.subscribe("in/#", 2);
			for (int qos = 0; qos <= 2; qos++) {
				publisher.publish("in/q" + qos, "m" + qos, qos, false);
				Received received = subscriber.awaitMessage(WAIT);
				assertThat(received.topic()).isEqualTo("in/q" + qos);
				assertThat(received.payload()).isEqualTo("m" + qos);
				assertThat(received.message().getQos()).isEqualTo(qos);
			}
			// An "in" rule sends nothing out.
			try (MqttTestClient remoteSubscriber = remote("rsub"); MqttTestClient localPublisher = local("lpub")) {
				remoteSubscriber.subscribe("in/#", 1);
				localPublisher.publish("in/local", "stays here", 1, false);
				assertThat(subscriber.awaitMessage(WAIT).payload()).isEqualTo("stays here");
				Thread.sleep(SETTLE.toMillis());
				assertThat(remoteSubscriber.drain()).isEmpty();
			}
		}
	}

	@Test
	void bothWaysEachMessageArrivesOnceOnEachSide() throws Exception {
		awaitConnected();
		try (MqttTestClient localSubscriber = local("lsub"); MqttTestClient remoteSubscriber = remote("rsub");
				MqttTestClient localPublisher = local("lpub"); MqttTestClient remotePublisher = remote("rpub")) {
			localSubscriber.subscribe("both/#", 1);
			remoteSubscriber.subscribe("both/#", 1);
			localPublisher.publish("both/from-hub", "h", 1, false);
			remotePublisher.publish("both/from-remote", "r", 1, false);
			List<Received> atHub = localSubscriber.awaitMessages(2, WAIT);
			List<Received> atRemote = remoteSubscriber.awaitMessages(2, WAIT);
			Thread.sleep(SETTLE.toMillis());
			assertThat(localSubscriber.drain()).as("echoes at the hub").isEmpty();
			assertThat(remoteSubscriber.drain()).as("echoes at the remote").isEmpty();
			assertThat(atHub).extracting(Received::toString)
				.containsExactlyInAnyOrder("both/from-hub:h", "both/from-remote:r");
			assertThat(atRemote).extracting(Received::toString)
				.containsExactlyInAnyOrder("both/from-hub:h", "both/from-remote:r");
		}
	}

	@Test
	void prefixesRemapTopics() throws Exception {
		awaitConnected();
		try (MqttTestClient remoteSubscriber = remote("rsub"); MqttTestClient localSubscriber = local("lsub");
				MqttTestClient localPublisher = local("lpub"); MqttTestClient remotePublisher = remote("rpub")) {
			remoteSubscriber.subscribe("sites/#", 1);
			localSubscriber.subscribe("cmd/#", 1);
			localPublisher.publish("site/kitchen/temp", "21", 1, false);
			assertThat(remoteSubscriber.awaitMessage(WAIT).toString()).isEqualTo("sites/a/kitchen/temp:21");
			remotePublisher.publish("commands/a/valve", "open", 1, false);
			assertThat(localSubscriber.awaitMessage(WAIT).toString()).isEqualTo("cmd/valve:open");
			// Outside the remote prefix: not brought in.
			remotePublisher.publish("commands/b/valve", "not ours", 1, false);
			Thread.sleep(SETTLE.toMillis());
			assertThat(localSubscriber.drain()).isEmpty();
		}
	}

	@Test
	void retainedMessagesAndTheirDeletionPropagate() throws Exception {
		awaitConnected();
		String topic = "out/retained/" + UUID.randomUUID();
		try (MqttTestClient watcher = remote("watch"); MqttTestClient publisher = local("pub")) {
			watcher.subscribe(topic, 1);
			publisher.publish(topic, "kept", 1, true);
			assertThat(watcher.awaitMessage(WAIT).payload()).isEqualTo("kept");
			try (MqttTestClient late = remote("late")) {
				late.subscribe(topic, 1);
				Received retained = late.awaitMessage(WAIT);
				assertThat(retained.payload()).isEqualTo("kept");
				assertThat(retained.message().isRetained()).isTrue();
			}
			publisher.publish(topic, new byte[0], 1, true);
			assertThat(watcher.awaitMessage(WAIT).message().getPayload()).isEmpty();
			try (MqttTestClient late = remote("late")) {
				late.subscribe(topic, 1);
				Thread.sleep(SETTLE.toMillis());
				assertThat(late.drain()).as("retained message after its deletion").isEmpty();
			}
		}
	}

	@Test
	void apiShowsStateAndFiguresPausesAndResumesAndNeverThePassword(CapturedOutput output) throws Exception {
		awaitConnected();
		WebSession admin = new WebSession(this.port);
		assertThat(admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
		String csrf = admin.csrfToken();
		assertThat(new WebSession(this.port).get("/api/bridges").statusCode()).as("without login").isEqualTo(401);
		try (MqttTestClient subscriber = remote("sub"); MqttTestClient publisher = local("pub")) {
			subscriber.subscribe("out/paused/#", 1);
			HttpResponse<String> paused = admin.json("POST", "/api/bridges/edge/pause", "", csrf);
			assertThat(paused.statusCode()).isEqualTo(200);
			awaitState(BridgeState.PAUSED);
			publisher.publish("out/paused/1", "waits", 1, false);
			JsonNode view = json.readTree(admin.get("/api/bridges/edge").body());
			assertThat(view.path("state").asString()).isEqualTo("PAUSED");
			assertThat(view.path("figures").path("queueMessages").asLong()).isEqualTo(1);
			Thread.sleep(SETTLE.toMillis());
			assertThat(subscriber.drain()).as("nothing forwarded while paused").isEmpty();
			assertThat(admin.json("POST", "/api/bridges/edge/resume", "", csrf).statusCode()).isEqualTo(200);
			assertThat(subscriber.awaitMessage(WAIT).payload()).isEqualTo("waits");
		}
		HttpResponse<String> list = admin.get("/api/bridges");
		assertThat(list.statusCode()).isEqualTo(200);
		JsonNode edge = json.readTree(list.body()).get(0);
		assertThat(edge.path("name").asString()).isEqualTo("edge");
		assertThat(edge.path("password").asString()).isEqualTo("set");
		assertThat(edge.path("figures").path("forwarded").asLong()).isPositive();
		assertThat(list.body()).doesNotContain(REMOTE_PASSWORD);
		assertThat(output.getOut()).doesNotContain(REMOTE_PASSWORD);
		HttpResponse<String> unknown = admin.json("POST", "/api/bridges/nope/pause", "", csrf);
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(json.readTree(unknown.body()).path("detail").asString()).isEqualTo("No bridge has this name");
		assertThat(this.registry.get("mqtthub.bridge.messages.forwarded").tag("bridge", "edge").functionCounter().count())
			.isPositive();
		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((HubTest.ADMIN + ":" + HubTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> metrics = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/prometheus"))
				.header("Authorization", basic)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(metrics.body()).contains("mqtthub_bridge_messages_enqueued_total{bridge=\"edge\"}")
			.contains("mqtthub_bridge_messages_forwarded_total{bridge=\"edge\"}")
			.contains("mqtthub_bridge_messages_dropped_total{bridge=\"edge\"}")
			.contains("mqtthub_bridge_messages_received_total{bridge=\"edge\"}")
			.contains("mqtthub_bridge_messages_inflight{bridge=\"edge\"}")
			.contains("mqtthub_bridge_queue_messages{bridge=\"edge\"}")
			.contains("mqtthub_bridge_queue_bytes{bridge=\"edge\"}")
			.contains("mqtthub_bridge_queue_oldest_age_seconds{bridge=\"edge\"}")
			.contains("mqtthub_bridge_connected{bridge=\"edge\"} 1")
			.contains("mqtthub_bridge_connect_attempts_total{bridge=\"edge\"}");
		HttpResponse<String> page = admin.get("/admin/bridges");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("/js/admin/bridges.js").doesNotContain("<script>").doesNotContain("style=");
	}

	private void awaitState(BridgeState expected) throws InterruptedException {
		BridgeLink link = this.bridges.link("edge").orElseThrow();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (link.state() != expected && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(link.state()).isEqualTo(expected);
	}

}

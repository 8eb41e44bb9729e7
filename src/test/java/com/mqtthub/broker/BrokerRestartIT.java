package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What survives a restart on the same data directory: the broker's retained messages and
 * persistent sessions (Moquette's MVStore, from the full H2 jar) and the users (the H2 database).
 */
class BrokerRestartIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path data;

	private ConfigurableApplicationContext start() {
		return SpringApplication.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=0",
				"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
				"--mqtthub.security.admin.password=restart-root-1");
	}

	private static String uri(ConfigurableApplicationContext context) {
		return "tcp://127.0.0.1:" + context.getBean(EmbeddedBroker.class).getTcpPort();
	}

	@Test
	void retainedMessagesQueuedMessagesAndUsersSurviveARestart() throws Exception {
		String topic = "restart/" + UUID.randomUUID();
		String sessionId = "keeper-" + UUID.randomUUID().toString().substring(0, 8);
		try (ConfigurableApplicationContext first = start()) {
			first.getBean(UserService.class).create("survivor", "restart-proof-pw", Role.USER, true);
			try (MqttTestClient keeper = MqttTestClient.connect(uri(first), sessionId,
					MqttTestClient.options(false, "admin", "restart-root-1"))) {
				keeper.subscribe(topic + "/queued", 1);
			}
			try (MqttTestClient publisher = MqttTestClient.connect(uri(first), "pub-1",
					MqttTestClient.options(true, "admin", "restart-root-1"))) {
				publisher.publish(topic + "/retained", "kept", 1, true);
				publisher.publish(topic + "/queued", "waiting", 1, false);
			}
		}
		try (ConfigurableApplicationContext second = start()) {
			assertThat(second.getBean(UserService.class).find("survivor")).isPresent();
			try (MqttTestClient keeper = MqttTestClient.connect(uri(second), sessionId,
					MqttTestClient.options(false, "admin", "restart-root-1"))) {
				assertThat(keeper.awaitMessage(WAIT).payload()).isEqualTo("waiting");
				keeper.paho().unsubscribe(topic + "/queued");
			}
			try (MqttTestClient late = MqttTestClient.connect(uri(second), "late-1",
					MqttTestClient.options(true, "survivor", "restart-proof-pw"))) {
				assertThat(late.isConnected()).isTrue();
			}
			try (MqttTestClient late = MqttTestClient.connect(uri(second), "late-2",
					MqttTestClient.options(true, "admin", "restart-root-1"))) {
				late.subscribe(topic + "/retained", 1);
				assertThat(late.awaitMessage(WAIT).payload()).isEqualTo("kept");
			}
		}
	}

	/**
	 * MQTT-3.3.1-8 across a restart: a retained message sent for a new subscription that still
	 * waits in the session's stored queue when the broker stops arrives afterwards with RETAIN 1,
	 * behind the in-flight messages sent again, while a live message queued with it keeps RETAIN 0.
	 */
	@Test
	void retainedMessageWaitingInAStoredQueueKeepsItsRetainFlagAcrossARestart() throws Exception {
		String topic = "restart-flag/" + UUID.randomUUID();
		Connect subscriberConnect = new Connect("window-" + UUID.randomUUID().toString().substring(0, 8))
			.cleanSession(false)
			.credentials("admin", "restart-root-1");
		try (ConfigurableApplicationContext first = start()) {
			int port = first.getBean(EmbeddedBroker.class).getTcpPort();
			try (RawMqttClient publisher = new RawMqttClient("127.0.0.1", port);
					RawMqttClient subscriber = new RawMqttClient("127.0.0.1", port)) {
				assertThat(publisher.connect(new Connect("pub-flag").credentials("admin", "restart-root-1"))).isZero();
				publisher.publish(topic + "/retained", "stored", 1, true, 1, false);
				assertThat(publisher.read().type()).isEqualTo(RawMqttClient.PUBACK);
				assertThat(subscriber.connect(subscriberConnect)).isZero();
				subscriber.subscribeAndAwait(1, topic + "/busy", 1);
				// Fill the engine's in-flight window of 10 without acknowledging anything.
				for (int i = 0; i < 10; i++) {
					publisher.publish(topic + "/busy", "m" + i, 1, false, 10 + i, false);
					assertThat(publisher.read().type()).isEqualTo(RawMqttClient.PUBACK);
					assertThat(subscriber.read().type()).isEqualTo(RawMqttClient.PUBLISH);
				}
				// Queued behind the window: the retained message, then a live one.
				subscriber.subscribeAndAwait(2, topic + "/retained", 1);
				publisher.publish(topic + "/retained", "live", 1, true, 30, false);
				assertThat(publisher.read().type()).isEqualTo(RawMqttClient.PUBACK);
				assertThat(subscriber.poll(Duration.ofMillis(300))).isNull();
			}
		}
		try (ConfigurableApplicationContext second = start()) {
			int port = second.getBean(EmbeddedBroker.class).getTcpPort();
			try (RawMqttClient subscriber = new RawMqttClient("127.0.0.1", port)) {
				assertThat(subscriber.connect(subscriberConnect)).isZero();
				for (int i = 0; i < 10; i++) {
					Packet again = subscriber.read();
					assertThat(again.dup()).as("in flight at the stop, sent again").isTrue();
					subscriber.ack(RawMqttClient.PUBACK, again.publishPacketId());
				}
				Packet stored = subscriber.read();
				assertThat(stored.payload()).isEqualTo("stored");
				assertThat(stored.retain()).as("sent because of the new subscription").isTrue();
				subscriber.ack(RawMqttClient.PUBACK, stored.publishPacketId());
				Packet live = subscriber.read();
				assertThat(live.payload()).isEqualTo("live");
				assertThat(live.retain()).as("forwarded to an existing subscription").isFalse();
				subscriber.ack(RawMqttClient.PUBACK, live.publishPacketId());
			}
		}
	}

}

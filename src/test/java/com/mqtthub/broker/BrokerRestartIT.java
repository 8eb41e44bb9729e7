package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.MqttTestClient;
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

}

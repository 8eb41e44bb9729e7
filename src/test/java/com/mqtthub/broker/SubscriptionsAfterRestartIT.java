package com.mqtthub.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.testing.RawMqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscriptions restored from the store after a restart count against the maximum per client,
 * and a client that comes back with a clean session really starts without them: the engine
 * restores a session's subscriptions into its tree but not into the session, so on its own it
 * never removed them and kept delivering to them.
 */
class SubscriptionsAfterRestartIT {

	private static final int FAILURE = 0x80;

	private static final String ADMIN_PASSWORD = "restart-root-1";

	@TempDir
	Path data;

	private ConfigurableApplicationContext start() {
		return SpringApplication.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=0",
				"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
				"--mqtthub.security.admin.password=" + ADMIN_PASSWORD, "--mqtthub.broker.max-subscriptions-per-client=3");
	}

	private static RawMqttClient connect(ConfigurableApplicationContext app, String clientId, boolean clean)
			throws IOException {
		RawMqttClient client = new RawMqttClient("127.0.0.1", app.getBean(EmbeddedBroker.class).getTcpPort());
		assertThat(client.connect(new RawMqttClient.Connect(clientId).cleanSession(clean)
			.credentials("admin", ADMIN_PASSWORD))).isZero();
		return client;
	}

	private static byte[] subscribe(RawMqttClient client, int packetId, String... filters) throws IOException {
		RawMqttClient.Body body = new RawMqttClient.Body().u16(packetId);
		for (String filter : filters) {
			body.string(filter).u8(0);
		}
		client.send(RawMqttClient.SUBSCRIBE, 0x02, body.bytes());
		RawMqttClient.Packet subAck = client.readSkipping(RawMqttClient.PUBLISH);
		assertThat(subAck.type()).isEqualTo(RawMqttClient.SUBACK);
		byte[] codes = new byte[subAck.body().length - 2];
		System.arraycopy(subAck.body(), 2, codes, 0, codes.length);
		return codes;
	}

	@Test
	void restoredSubscriptionsCountAndACleanSessionStartsWithoutThem() throws Exception {
		try (ConfigurableApplicationContext first = start()) {
			for (String id : List.of("keeper", "forgetter")) {
				try (RawMqttClient client = connect(first, id, false)) {
					assertThat(subscribe(client, 1, "t/1", "t/2", "t/3")).containsExactly(0, 0, 0);
					client.disconnect();
				}
			}
		}
		try (ConfigurableApplicationContext second = start();
				RawMqttClient publisher = connect(second, "publisher", true)) {
			try (RawMqttClient keeper = connect(second, "keeper", false)) {
				// Three restored: subscribing again is fine, a fourth is one too many.
				assertThat(subscribe(keeper, 1, "t/1", "t/4")).containsExactly((byte) 0, (byte) FAILURE);
				publisher.publish("t/2", "restored", 0, false, 0, false);
				assertThat(keeper.read().payload()).isEqualTo("restored");
				keeper.disconnect();
			}
			try (RawMqttClient forgetter = connect(second, "forgetter", true)) {
				assertThat(subscribe(forgetter, 1, "u/1", "u/2", "u/3")).containsExactly(0, 0, 0);
				// Sent in this order by one publisher: were t/2 still held, its message would come first.
				publisher.publish("t/2", "from the old session", 0, false, 0, false);
				publisher.publish("u/1", "new", 0, false, 0, false);
				assertThat(forgetter.read().payload()).isEqualTo("new");
				forgetter.disconnect();
			}
			// The keeper's restored subscriptions went with a clean start too.
			try (RawMqttClient keeper = connect(second, "keeper", true)) {
				assertThat(subscribe(keeper, 1, "v/1", "v/2", "v/3")).containsExactly(0, 0, 0);
				keeper.disconnect();
			}
		}
	}

}

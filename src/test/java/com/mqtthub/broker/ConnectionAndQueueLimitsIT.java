package com.mqtthub.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The documented limits: connections beyond the maximum are refused with "server unavailable",
 * and a session's queue keeps at most the maximum, dropping (and counting) what comes after.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.max-connections=3", "mqtthub.broker.max-queued-messages=5" })
class ConnectionAndQueueLimitsIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	private EmbeddedBroker broker;

	private String tcp() {
		return "tcp://127.0.0.1:" + this.broker.getTcpPort();
	}

	@Test
	void connectionsBeyondTheMaximumAreRefusedAsServerUnavailable() throws Exception {
		await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 0);
		List<MqttTestClient> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				open.add(MqttTestClient.connect(tcp(), "limit-" + i + "-" + UUID.randomUUID()));
			}
			long refusedBefore = this.broker.getLimits().refusedConnections();
			try (MqttTestClient extra = MqttTestClient.create(tcp(), "limit-extra-" + UUID.randomUUID())) {
				assertThatThrownBy(() -> extra.paho().connect(MqttTestClient.options(true)))
					.isInstanceOfSatisfying(MqttException.class, (ex) -> assertThat(ex.getReasonCode())
						.isEqualTo(MqttException.REASON_CODE_BROKER_UNAVAILABLE));
			}
			assertThat(this.broker.getLimits().refusedConnections()).isEqualTo(refusedBefore + 1);

			open.remove(0).close();
			await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 2);
			open.add(MqttTestClient.connect(tcp(), "limit-again-" + UUID.randomUUID()));
			assertThat(this.broker.getLimits().connections()).isEqualTo(3);
		}
		finally {
			open.forEach(MqttTestClient::close);
		}
	}

	@Test
	void offlineQueueKeepsTheOldestMessagesUpToTheMaximumAndCountsTheRest() throws Exception {
		await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 0);
		String topic = "limits/queue/" + UUID.randomUUID();
		String id = "queued-" + UUID.randomUUID();
		try (MqttTestClient away = MqttTestClient.connect(tcp(), id, MqttTestClient.options(false))) {
			away.subscribe(topic, 1);
		}
		long droppedBefore = this.broker.getLimits().droppedForFullQueues();
		try (MqttTestClient publisher = MqttTestClient.connect(tcp(), "queue-pub-" + UUID.randomUUID())) {
			for (int i = 1; i <= 8; i++) {
				publisher.publish(topic, "message " + i, 1, false);
			}
		}
		assertThat(this.broker.getLimits().droppedForFullQueues()).isEqualTo(droppedBefore + 3);

		try (MqttTestClient back = MqttTestClient.connect(tcp(), id, MqttTestClient.options(false))) {
			assertThat(back.awaitMessages(5, WAIT).stream().map(Received::payload).toList())
				.containsExactly("message 1", "message 2", "message 3", "message 4", "message 5");
			assertThat(back.drain()).isEmpty();
			back.paho().unsubscribe(topic);
		}
	}

}

package com.mqtthub.broker;

import java.time.Duration;
import java.util.UUID;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber that never reads its socket, facing a fast publisher: the broker drops (and
 * counts) what it cannot hand over instead of buffering it (QoS 0 beyond the slow-client buffer,
 * QoS 1 and 2 beyond the session's queue), and the other subscribers keep receiving everything.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.slow-client-buffer=64KB",
		"mqtthub.broker.max-queued-messages=200" })
class SlowSubscriberIT {

	private static final int MESSAGES = 1500;

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void slowSubscriberLosesQosZeroMessagesWhileOthersGetEverything() throws Exception {
		String topic = "slow/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		byte[] payload = new byte[4096];
		long droppedBefore = this.broker.getLimits().droppedForSlowClients();
		try (RawMqttClient sleeper = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
				MqttTestClient healthy = MqttTestClient.connect(tcp, "healthy-" + UUID.randomUUID());
				MqttTestClient publisher = MqttTestClient.connect(tcp, "fast-" + UUID.randomUUID())) {
			assertThat(sleeper.connect(new Connect("sleeper-" + UUID.randomUUID()))).isZero();
			assertThat(sleeper.subscribeAndAwait(1, topic, 0)).containsExactly(0);
			healthy.subscribe(topic, 1);
			// From here on the sleeper reads nothing: about 6 MB head its way.
			for (int i = 0; i < MESSAGES; i++) {
				publisher.publish(topic, payload, 1, false);
			}

			assertThat(healthy.awaitMessages(MESSAGES, Duration.ofSeconds(60))).hasSize(MESSAGES);
			assertThat(this.broker.getLimits().droppedForSlowClients() - droppedBefore)
				.as("QoS 0 messages dropped for the sleeper")
				.isPositive();
		}
	}

	@Test
	void slowQosOneSubscriberHasItsQueueCappedWhileOthersGetEverything() throws Exception {
		String topic = "slow1/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		long droppedBefore = this.broker.getLimits().droppedForFullQueues();
		try (RawMqttClient sleeper = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
				MqttTestClient healthy = MqttTestClient.connect(tcp, "healthy1-" + UUID.randomUUID());
				MqttTestClient publisher = MqttTestClient.connect(tcp, "fast1-" + UUID.randomUUID())) {
			// A clean session: the engine would queue its messages in memory without end.
			assertThat(sleeper.connect(new Connect("sleeper1-" + UUID.randomUUID()))).isZero();
			assertThat(sleeper.subscribeAndAwait(1, topic, 1)).containsExactly(1);
			healthy.subscribe(topic, 1);
			// The sleeper neither reads nor acknowledges from here on.
			for (int i = 0; i < 1000; i++) {
				publisher.publish(topic, new byte[256], 1, false);
			}

			assertThat(healthy.awaitMessages(1000, Duration.ofSeconds(60))).hasSize(1000);
			// At most 10 in flight and 200 queued for the sleeper: the rest is dropped and counted.
			assertThat(this.broker.getLimits().droppedForFullQueues() - droppedBefore)
				.as("QoS 1 messages dropped for the sleeper")
				.isGreaterThanOrEqualTo(1000 - 10 - 200);
		}
	}

}

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
 * counts) the QoS 0 messages it cannot hand over instead of buffering them, and the other
 * subscribers keep receiving everything.
 */
@HubTest
@TestPropertySource(properties = "mqtthub.broker.slow-client-buffer=64KB")
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

}

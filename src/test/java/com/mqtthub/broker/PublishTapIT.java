package com.mqtthub.broker;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acknowledgement of a PUBLISH waits for the publish tap: what the tap stores for a message
 * is in the store's commit before the publisher gets PUBACK or PUBREC, even when the tap is slow
 * (here it sleeps), although the engine acknowledges before it notifies.
 */
@HubTest
@Import(PublishTapIT.SlowTapConfiguration.class)
class PublishTapIT {

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private SlowTap tap;

	@Test
	void theAcknowledgementComesAfterTheTapStoredTheMessage() throws Exception {
		try (MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"tap-" + UUID.randomUUID())) {
			// Several rounds: the engine completes a QoS 2 PUBLISH on one thread or another.
			for (int round = 0; round < 10; round++) {
				int qos = 1 + round % 2;
				String topic = "tap/slow/" + round;
				// Returns once PUBACK (QoS 1) or PUBREC and PUBCOMP (QoS 2) arrived.
				publisher.publish(topic, "x", qos, false);
				assertThat(this.tap.stored).as("stored by the tap before the acknowledgement").containsKey(topic);
			}
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class SlowTapConfiguration {

		@Bean
		SlowTap slowTap() {
			return new SlowTap();
		}

	}

	static class SlowTap implements PublishTap {

		final Map<String, Boolean> stored = new ConcurrentHashMap<>();

		private volatile Map<Long, byte[]> map;

		@Override
		public void storeOpened(Store store) {
			this.map = store.map("publish-tap-test");
		}

		@Override
		public void published(String clientId, String topic, byte[] payload, int qos, boolean retain) {
			if (!topic.startsWith("tap/slow/")) {
				return;
			}
			try {
				// Far longer than an acknowledgement takes without waiting for the tap.
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.map.put((long) topic.hashCode(), payload);
			this.stored.put(topic, true);
		}

	}

}

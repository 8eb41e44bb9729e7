package com.mqtthub.broker;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Body;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends thousands of QoS 1 publishes in one burst, without waiting for any
 * acknowledgement, must get every PUBACK and every message must be delivered: the engine's
 * per-session command queue (1024 entries) would otherwise overflow and drop work silently.
 */
@HubTest
class PublishBurstIT {

	private static final int BURST = 5000;

	/** Subscribers besides the one checked: every publish then costs the engine many deliveries. */
	private static final int FAN_OUT = 20;

	@Autowired
	private EmbeddedBroker broker;

	private final java.util.List<MqttTestClient> others = new java.util.ArrayList<>();

	@org.junit.jupiter.api.AfterEach
	void closeOthers() {
		this.others.forEach(MqttTestClient::close);
	}

	@Test
	void everyPublishOfABurstIsAcknowledgedAndDelivered() throws Exception {
		String topic = "burst/" + UUID.randomUUID();
		try (MqttTestClient subscriber = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"burst-sub-" + UUID.randomUUID());
				RawMqttClient publisher = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			subscriber.subscribe(topic, 1);
			for (int i = 0; i < FAN_OUT; i++) {
				MqttTestClient other = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
						"burst-fan-" + i + "-" + UUID.randomUUID());
				other.subscribe(topic, 0);
				this.others.add(other);
			}
			assertThat(publisher.connect(new Connect("burst-pub-" + UUID.randomUUID()))).isZero();
			ByteArrayOutputStream burst = new ByteArrayOutputStream();
			for (int id = 1; id <= BURST; id++) {
				burst.writeBytes(RawMqttClient.packet(RawMqttClient.PUBLISH, 0x02,
						new Body().string(topic).u16(id).raw(("m" + id).getBytes()).bytes()));
			}
			// Written from another thread: the broker may stop reading until we read its answers.
			Thread writer = new Thread(() -> {
				try {
					publisher.send(burst.toByteArray());
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			writer.start();
			Set<Integer> acknowledged = new HashSet<>();
			while (acknowledged.size() < BURST) {
				Packet ack = publisher.read();
				assertThat(ack.type()).isEqualTo(RawMqttClient.PUBACK);
				acknowledged.add(ack.u16(0));
			}
			writer.join(10_000);
			assertThat(subscriber.awaitMessages(BURST, Duration.ofSeconds(60))).hasSize(BURST);
		}
	}

}

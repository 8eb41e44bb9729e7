package com.mqtthub.broker;

import java.time.Duration;
import java.util.UUID;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that publishes at QoS 1 while it reads far behind (its connection is full of large
 * messages for it) gets its PUBACK once it reads again, without reconnecting. The engine drops
 * an answer it cannot write at once; before the hub wrote such answers itself, this client
 * waited for its PUBACK until it reconnected and sent its message again.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.slow-client-buffer=256KB",
		"mqtthub.broker.max-client-backlog=64MB" })
class AnswersWhileReadingBehindIT {

	private static final int LARGE = 1_000_000;

	private static final int LARGE_MESSAGES = 12;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private MeterRegistry meters;

	private double rewritten() {
		return this.meters.get("mqtthub.engine.answers.rewritten").functionCounter().count();
	}

	@Test
	void aPubAckDueWhileTheConnectionIsFullArrivesOnceTheClientReads() throws Exception {
		String topic = "behind/" + UUID.randomUUID();
		double rewrittenBefore = rewritten();
		int port = this.broker.getTcpPort();
		try (RawMqttClient behind = RawMqttClient.withReceiveBuffer("127.0.0.1", port, 4096);
				MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + port,
						"publisher-" + UUID.randomUUID())) {
			assertThat(behind.connect(new RawMqttClient.Connect("behind-" + UUID.randomUUID()).keepAlive(0))).isZero();
			behind.subscribeAndAwait(1, topic, 1);

			// Ten of these in flight (10 MB) fill its connection far beyond the high-water mark (1 MB).
			byte[] payload = new byte[LARGE];
			for (int i = 0; i < LARGE_MESSAGES; i++) {
				publisher.publish(topic, payload, 1, false);
			}
			Thread.sleep(500);
			behind.publish(topic + "/own", "mine", 1, false, 42, false);
			Thread.sleep(500);

			// Now it reads (and acknowledges what it gets): its PUBACK is among what arrives.
			int large = 0;
			long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
			boolean acknowledged = false;
			while (!acknowledged && System.nanoTime() < deadline) {
				RawMqttClient.Packet packet = behind.poll(Duration.ofMillis(200));
				if (packet == null) {
					continue;
				}
				if (packet.type() == RawMqttClient.PUBLISH) {
					large++;
					behind.ack(RawMqttClient.PUBACK, packet.publishPacketId());
				}
				else if (packet.type() == RawMqttClient.PUBACK) {
					assertThat(packet.u16(0)).isEqualTo(42);
					acknowledged = true;
				}
			}
			System.out.println("Read " + large + " large messages before the PUBACK: " + acknowledged);
			assertThat(large).as("the connection was full when the PUBACK was due").isGreaterThan(1);
			assertThat(acknowledged).as("PUBACK 42 within 4 s of reading again").isTrue();
			assertThat(rewritten() - rewrittenBefore).as("answers written for the engine, counted").isEqualTo(1);
		}
	}

}

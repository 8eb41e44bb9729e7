package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.mqtthub.testing.RawMqttClient.CONNACK;
import static com.mqtthub.testing.RawMqttClient.PUBACK;
import static com.mqtthub.testing.RawMqttClient.PUBCOMP;
import static com.mqtthub.testing.RawMqttClient.PUBREC;
import static com.mqtthub.testing.RawMqttClient.PUBREL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the broker acknowledged survives a stop and a crash: the packaged application runs as a
 * child process, is stopped (SIGTERM) or killed (SIGKILL), and started again on the same data.
 */
class RestartAndCrashRecoveryIT {

	private static final Duration START = Duration.ofSeconds(90);

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final int QUEUED = 25;

	@TempDir
	Path data;

	@Test
	void acknowledgedStateSurvivesAGracefulStop() throws Exception {
		survives((hub) -> {
			assertThat(hub.stopGracefully(Duration.ofSeconds(60))).as("exit code").isIn(0, 143);
			// SIGTERM: no new connections, work in flight settles, clients closed, state saved.
			assertThat(String.join("\n", hub.output())).contains("Stopping the MQTT broker: no new connections")
				.contains("MQTT broker stopped in");
		});
	}

	@Test
	void acknowledgedStateSurvivesAKill() throws Exception {
		survives(HubProcess::kill);
	}

	private interface Stop {

		void stop(HubProcess hub) throws Exception;

	}

	private void survives(Stop stop) throws Exception {
		MqttConnectOptions persistent = MqttTestClient.options(false);
		// What the broker sent before it stopped: sent again afterwards with the same packet ids.
		List<Packet> sent;
		try (HubProcess first = HubProcess.start(this.data)) {
			int port = first.awaitStarted(START);
			String uri = "tcp://127.0.0.1:" + port;
			try (MqttTestClient keeper = MqttTestClient.connect(uri, "keeper", persistent)) {
				keeper.subscribe("recovery/queue", 1);
			}
			RawMqttClient inflight = new RawMqttClient("127.0.0.1", port);
			inflight.connect(new Connect("inflight").cleanSession(false));
			inflight.subscribeAndAwait(1, "recovery/inflight", 2);
			try (MqttTestClient publisher = MqttTestClient.connect(uri, "publisher")) {
				publisher.publish("recovery/retained", "last known value", 1, true);
				for (int i = 1; i <= QUEUED; i++) {
					// Paho returns once the broker's PUBACK has arrived: these are acknowledged.
					publisher.publish("recovery/queue", "queued " + i, 1, false);
				}
				publisher.publish("recovery/inflight", "at least once", 1, false);
				publisher.publish("recovery/inflight", "exactly once, received", 2, false);
				publisher.publish("recovery/inflight", "exactly once, not received", 2, false);
			}
			// Received and not acknowledged; the second one PUBRECed, so the broker sent PUBREL.
			sent = List.of(inflight.read(), inflight.read(), inflight.read());
			inflight.ack(PUBREC, sent.get(1).publishPacketId());
			assertThat(inflight.read().type()).isEqualTo(PUBREL);
			// The records of what was sent are committed with the publishers' acknowledgements; the
			// PUBREC just sent is committed by the next group commit: give it that.
			Thread.sleep(1_000);
			stop.stop(first);
			inflight.close();
		}

		try (HubProcess second = HubProcess.start(this.data)) {
			int port = second.awaitStarted(START);
			String uri = "tcp://127.0.0.1:" + port;
			try (MqttTestClient keeper = MqttTestClient.connect(uri, "keeper", persistent)) {
				assertThat(keeper.paho().getClientId()).isEqualTo("keeper");
				List<String> payloads = keeper.awaitMessages(QUEUED, WAIT).stream().map(Received::payload).toList();
				assertThat(payloads)
					.isEqualTo(IntStream.rangeClosed(1, QUEUED).mapToObj((i) -> "queued " + i).toList());
			}
			try (RawMqttClient inflight = new RawMqttClient("127.0.0.1", port)) {
				// What was in flight comes first, as it was: DUP 1, the same packet ids, PUBREL for
				// the message the client had received (MQTT-4.4.0-1).
				inflight.send(new Connect("inflight").cleanSession(false).toBytes());
				assertThat(inflight.read().type()).isEqualTo(CONNACK);
				Packet atLeastOnce = inflight.read();
				assertThat(atLeastOnce.payload()).isEqualTo("at least once");
				assertThat(atLeastOnce.dup()).isTrue();
				assertThat(atLeastOnce.publishPacketId()).isEqualTo(sent.get(0).publishPacketId());
				inflight.ack(PUBACK, atLeastOnce.publishPacketId());
				Packet release = inflight.read();
				assertThat(release.type()).isEqualTo(PUBREL);
				assertThat(release.u16(0)).isEqualTo(sent.get(1).publishPacketId());
				inflight.ack(PUBCOMP, release.u16(0));
				Packet notReceived = inflight.read();
				assertThat(notReceived.payload()).isEqualTo("exactly once, not received");
				assertThat(notReceived.dup()).isTrue();
				assertThat(notReceived.qos()).isEqualTo(2);
				assertThat(notReceived.publishPacketId()).isEqualTo(sent.get(2).publishPacketId());
				inflight.ack(PUBREC, notReceived.publishPacketId());
				assertThat(inflight.read().type()).isEqualTo(PUBREL);
				inflight.ack(PUBCOMP, notReceived.publishPacketId());
				assertThat(inflight.poll(Duration.ofSeconds(2))).isNull();
				inflight.disconnect();
			}
			try (MqttTestClient late = MqttTestClient.connect(uri, "late")) {
				late.subscribe("recovery/retained", 1);
				assertThat(late.awaitMessage(WAIT).payload()).isEqualTo("last known value");
			}
			second.stopGracefully(Duration.ofSeconds(60));
		}
	}

}

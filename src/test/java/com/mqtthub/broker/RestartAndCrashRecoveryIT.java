package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
		try (HubProcess first = HubProcess.start(this.data)) {
			String uri = "tcp://127.0.0.1:" + first.awaitStarted(START);
			try (MqttTestClient keeper = MqttTestClient.connect(uri, "keeper", persistent)) {
				keeper.subscribe("recovery/queue", 1);
			}
			try (MqttTestClient publisher = MqttTestClient.connect(uri, "publisher")) {
				publisher.publish("recovery/retained", "last known value", 1, true);
				for (int i = 1; i <= QUEUED; i++) {
					// Paho returns once the broker's PUBACK has arrived: these are acknowledged.
					publisher.publish("recovery/queue", "queued " + i, 1, false);
				}
			}
			stop.stop(first);
		}

		try (HubProcess second = HubProcess.start(this.data)) {
			String uri = "tcp://127.0.0.1:" + second.awaitStarted(START);
			try (MqttTestClient keeper = MqttTestClient.connect(uri, "keeper", persistent)) {
				assertThat(keeper.paho().getClientId()).isEqualTo("keeper");
				List<String> payloads = keeper.awaitMessages(QUEUED, WAIT).stream().map(Received::payload).toList();
				assertThat(payloads)
					.isEqualTo(IntStream.rangeClosed(1, QUEUED).mapToObj((i) -> "queued " + i).toList());
			}
			try (MqttTestClient late = MqttTestClient.connect(uri, "late")) {
				late.subscribe("recovery/retained", 1);
				assertThat(late.awaitMessage(WAIT).payload()).isEqualTo("last known value");
			}
			second.stopGracefully(Duration.ofSeconds(60));
		}
	}

}

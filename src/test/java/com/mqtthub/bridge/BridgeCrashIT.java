package com.mqtthub.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged hub is killed (SIGKILL) while its bridge's remote is down and messages wait in
 * the queue; after a restart every message the hub acknowledged reaches the remote.
 */
class BridgeCrashIT {

	private static final int MESSAGES = 500;

	/** Generous: the packaged application starts slowly on a busy machine. */
	private static final Duration START = Duration.ofMinutes(3);

	@Test
	void everyAcknowledgedMessageReachesTheRemoteAfterAKill() throws Exception {
		Path data = Path.of("target/test-data/bridge-crash-" + UUID.randomUUID());
		try (Mosquitto remote = Mosquitto.start(data.resolve("mosquitto"), null)) {
			// A persistent session at the remote keeps what arrives while nobody listens there.
			try (MqttTestClient subscriber = subscriber(remote)) {
				// only the session matters
			}
			remote.stop();
			List<String> bridge = new ArrayList<>(remote.bridgeArguments("cloud", "crash/#"));
			bridge.add("--mqtthub.bridges[0].reconnect.initial-delay=200ms");
			bridge.add("--mqtthub.bridges[0].reconnect.max-delay=1s");
			String[] arguments = bridge.toArray(String[]::new);
			try (HubProcess hub = HubProcess.start(data.resolve("hub"), arguments)) {
				int port = hub.awaitStarted(START);
				try (MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + port, "crash-publisher")) {
					for (int i = 0; i < MESSAGES; i++) {
						// Returns once the hub sent PUBACK.
						publisher.publish("crash/" + (i % 3), Integer.toString(i), 1, false);
					}
				}
				hub.kill();
			}
			try (HubProcess hub = HubProcess.start(data.resolve("hub"), arguments)) {
				hub.awaitStarted(START);
				remote.start();
				RemoteStream stream = new RemoteStream();
				try (MqttTestClient subscriber = subscriber(remote)) {
					long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
					while (stream.distinct() < MESSAGES && System.nanoTime() < deadline) {
						stream.add(subscriber.drain());
						Thread.sleep(50);
					}
				}
				System.out.printf("Bridge crash: %d acknowledged, %d arrived, %d duplicates%n", MESSAGES,
						stream.distinct(), stream.duplicates());
				assertThat(stream.distinct()).as("acknowledged messages at the remote").isEqualTo(MESSAGES);
				assertThat(stream.outOfOrder()).isEmpty();
				assertThat(hub.output()).anyMatch((line) -> line.contains("Bridge 'cloud': connected"));
			}
		}
	}

	private static MqttTestClient subscriber(Mosquitto remote) throws Exception {
		MqttTestClient subscriber = MqttTestClient.connect(remote.uri(), "crash-subscriber",
				MqttTestClient.anonymousOptions(false));
		subscriber.subscribe("crash/#", 1);
		return subscriber;
	}

}

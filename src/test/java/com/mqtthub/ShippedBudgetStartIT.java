package com.mqtthub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The packaged jar with the shipped JVM options ({@code packaging/jvm.options}, a 128 MB heap)
 * and persistence off: the defaults fit that heap (the total for retained messages follows it),
 * while a total set beyond it still stops the start with a message naming the setting.
 */
class ShippedBudgetStartIT {

	private static final List<String> SHIPPED = List.of("@packaging/jvm.options");

	@TempDir
	Path data;

	@Test
	void startsWithPersistenceOffInTheShippedHeap() throws Exception {
		try (HubProcess hub = HubProcess.start(this.data, SHIPPED, "--mqtthub.broker.persistence=false")) {
			int port = hub.awaitStarted(Duration.ofSeconds(600));
			try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + port, "shipped-budget",
					MqttTestClient.options(true, HubTest.ADMIN, HubTest.ADMIN_PASSWORD))) {
				assertThat(client.isConnected()).isTrue();
			}
		}
	}

	@Test
	void refusesARetainedTotalSetBeyondTheShippedHeap() throws Exception {
		try (HubProcess hub = HubProcess.start(this.data, SHIPPED, "--mqtthub.broker.persistence=false",
				"--mqtthub.broker.retained.max-bytes=256MB")) {
			assertThatExceptionOfType(ExecutionException.class)
				.isThrownBy(() -> hub.awaitStarted(Duration.ofSeconds(600)));
			assertThat(String.join("\n", hub.output()))
				.contains("With persistence off retained messages stay in the heap: mqtthub.broker.retained.max-bytes "
						+ "(256 MB) and mqtthub.broker.max-queued-bytes-in-memory (");
		}
	}

}

package com.mqtthub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar starts with the bean definitions prepared at build time, as packaging/cds.sh
 * starts it ({@code -Dspring.aot.enabled=true}; without them in the jar Spring refuses to start),
 * and the broker then accepts the administrator.
 */
class AheadOfTimeStartIT {

	@TempDir
	Path data;

	@Test
	void packagedJarStartsWithAheadOfTimeBeanDefinitions() throws Exception {
		try (HubProcess hub = HubProcess.start(this.data, List.of("-Dspring.aot.enabled=true"))) {
			int port = hub.awaitStarted(Duration.ofSeconds(120));
			try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + port, "aot-start",
					MqttTestClient.options(true, HubTest.ADMIN, HubTest.ADMIN_PASSWORD))) {
				assertThat(client.isConnected()).isTrue();
			}
			assertThat(String.join("\n", hub.output())).contains("Starting AOT-processed MqttHubApplication");
		}
	}

}

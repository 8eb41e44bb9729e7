package com.mqtthub;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mqtthub.testing.HubProcess;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Faster start": {@code packaging/cds.sh} extracts the packaged jar and records the
 * archive (Java 17: class data sharing; Java 25 and newer: the ahead-of-time cache) from a
 * training run, then {@code mqtt-hub.sh}, started in that directory as the README says, starts
 * the hub from it and the administrator connects.
 * The start insists on the archive ({@code -Xshare:on} or {@code -XX:AOTMode=on}): a missing or
 * unusable one makes the JVM refuse to start instead of silently starting without it.
 */
class FasterStartIT {

	@TempDir
	Path work;

	@Test
	void cdsScriptPreparesAStartThatUsesItsArchive() throws Exception {
		Path destination = this.work.resolve("hub");
		Map<String, String> java = Map.of("JAVA_HOME", System.getProperty("java.home"));
		ProcessBuilder cds = new ProcessBuilder("bash", "packaging/cds.sh", HubProcess.packagedJar().toString(),
				destination.toString())
			.redirectErrorStream(true)
			.redirectOutput(this.work.resolve("cds.log").toFile());
		cds.environment().putAll(java);
		Process prepare = cds.start();
		prepare.getOutputStream().close();
		assertThat(prepare.waitFor(5, TimeUnit.MINUTES)).as("cds.sh finished").isTrue();
		String log = Files.readString(this.work.resolve("cds.log"), StandardCharsets.UTF_8);
		assertThat(prepare.exitValue()).as(log).isZero();
		assertThat(log).contains("Extracted layout and class data sharing archive in");

		Path cache = destination.resolve("mqtt-hub.aot");
		Path archive = Files.exists(cache) ? cache : destination.resolve("mqtt-hub.jsa");
		assertThat(archive).isNotEmptyFile();
		String insist = archive.equals(cache) ? "-XX:AOTMode=on" : "-Xshare:on";
		Path data = this.work.resolve("data");
		try (HubProcess hub = HubProcess.run(List.of(destination.resolve("mqtt-hub.sh").toString(),
				"--server.port=0", "--mqtthub.broker.port=0", "--mqtthub.broker.websocket.port=0",
				"--mqtthub.broker.data-directory=" + data, "--mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD),
				destination, Map.of("JAVA_HOME", java.get("JAVA_HOME"), "JAVA_OPTS", insist))) {
			int port = hub.awaitStarted(Duration.ofSeconds(120));
			try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + port, "faster-start",
					MqttTestClient.options(true, HubTest.ADMIN, HubTest.ADMIN_PASSWORD))) {
				assertThat(client.isConnected()).isTrue();
			}
			// The JVM's own complaints (a stale archive, native access) come as "VM warning" or "WARNING:".
			assertThat(String.join("\n", hub.output())).contains("Starting AOT-processed MqttHubApplication")
				.doesNotContain("VM warning")
				.doesNotContain("WARNING:");
		}
	}

}

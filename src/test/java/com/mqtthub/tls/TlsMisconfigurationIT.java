package com.mqtthub.tls;

import java.nio.file.Path;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.broker.TlsConfigurationException;
import com.mqtthub.testing.TestKeystore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A keystore that is set but unusable stops start-up with one clear sentence, instead of a broker
 * that quietly runs without TLS.
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsMisconfigurationIT {

	@TempDir
	Path data;

	private void start(String... tls) {
		String[] base = { "--server.port=0", "--mqtthub.broker.port=0", "--mqtthub.broker.websocket.port=0",
				"--mqtthub.broker.tls.ssl-port=0", "--mqtthub.broker.tls.wss-port=0",
				"--mqtthub.broker.data-directory=" + this.data, "--mqtthub.security.admin.password=irrelevant-1" };
		String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(tls))
			.toArray(String[]::new);
		SpringApplication.run(MqttHubApplication.class, args).close();
	}

	@Test
	void wrongKeystorePassword(CapturedOutput output) {
		assertThatThrownBy(() -> start("--mqtthub.broker.tls.keystore=" + TestKeystore.path(),
				"--mqtthub.broker.tls.keystore-password=wrong-password"))
			.hasCauseInstanceOf(TlsConfigurationException.class);
		assertThat(output).contains("cannot be opened as PKCS12 (wrong type or wrong keystore password?)")
			.contains("Check mqtthub.broker.tls.keystore");
	}

	@Test
	void missingKeystorePassword(CapturedOutput output) {
		assertThatThrownBy(() -> start("--mqtthub.broker.tls.keystore=" + TestKeystore.path()))
			.hasCauseInstanceOf(TlsConfigurationException.class);
		assertThat(output).contains("mqtthub.broker.tls.keystore-password is not");
	}

	@Test
	void missingKeystoreFile(CapturedOutput output) {
		assertThatThrownBy(() -> start("--mqtthub.broker.tls.keystore=" + this.data.resolve("nothing.p12"),
				"--mqtthub.broker.tls.keystore-password=x"))
			.isNotNull();
		assertThat(output).contains("does not exist or cannot be read");
	}

}

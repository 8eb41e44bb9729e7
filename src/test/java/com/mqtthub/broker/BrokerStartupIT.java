package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import com.mqtthub.MqttHubApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Starting the application as a user does, from {@code main}, and what it prints.
 */
@ExtendWith(OutputCaptureExtension.class)
class BrokerStartupIT {

	@TempDir
	Path data;

	/** The arguments of a test start, each of {@code overrides} replacing the one of its name. */
	private String[] args(String... overrides) {
		Map<String, String> args = new LinkedHashMap<>();
		Stream.of("--server.port=0", "--mqtthub.broker.port=0", "--mqtthub.broker.websocket.port=0",
				"--mqtthub.broker.data-directory=" + this.data)
			.forEach((arg) -> args.put(arg.substring(0, arg.indexOf('=')), arg));
		Stream.of(overrides).forEach((arg) -> args.put(arg.substring(0, arg.indexOf('=')), arg));
		return args.values().toArray(String[]::new);
	}

	@Test
	void startUpNamesEveryEndpointOnItsOwnLine(CapturedOutput output) {
		try (ConfigurableApplicationContext context = SpringApplication.run(MqttHubApplication.class, args())) {
			EmbeddedBroker broker = context.getBean(EmbeddedBroker.class);
			assertThat(output).contains("MQTT over TCP on 0.0.0.0:" + broker.getTcpPort())
				.contains("MQTT over WebSocket on ws://0.0.0.0:" + broker.getWebSocketPort() + "/mqtt")
				.contains("MQTT over WebSocket (same origin) on the web port")
				.contains("Anonymous MQTT clients are refused")
				.contains("Created the administrator 'admin' with the generated password")
				.doesNotContain("Server bound to host");
		}
	}

	@Test
	void takenTcpPortFailsStartUpWithOneSentenceNamingTheProperty(CapturedOutput output) throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress("0.0.0.0", 0));
			int port = taken.getLocalPort();

			assertThatThrownBy(
					() -> SpringApplication.run(MqttHubApplication.class, args("--mqtthub.broker.port=" + port)))
				.cause()
				.isInstanceOf(ListenerPortInUseException.class);

			assertThat(output).contains("MQTT over TCP could not listen on 0.0.0.0:" + port
					+ " because the port is already in use.")
				.contains("set mqtthub.broker.port (environment variable MQTTHUB_BROKER_PORT) to another port")
				.doesNotContain("\tat io.moquette");
		}
	}

	@Test
	void takenWebSocketPortNamesItsOwnProperty(CapturedOutput output) throws Exception {
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress("0.0.0.0", 0));
			int port = taken.getLocalPort();

			assertThatThrownBy(() -> SpringApplication.run(MqttHubApplication.class,
					args("--mqtthub.broker.websocket.port=" + port)))
				.isNotNull();

			assertThat(output).contains("MQTT over WebSocket could not listen on 0.0.0.0:" + port)
				.contains("mqtthub.broker.websocket.port (environment variable MQTTHUB_BROKER_WEBSOCKET_PORT)");
		}
	}

	@Test
	void brokerNeverWritesTheTelemetryIdentityThatPhoningHomeWouldUse() {
		try (ConfigurableApplicationContext context = SpringApplication.run(MqttHubApplication.class, args())) {
			assertThat(context.getBean(EmbeddedBroker.class).isRunning()).isTrue();
		}
		// Moquette's telemetry first writes its installation id here, then posts it to a remote host.
		assertThat(Files.exists(this.data.resolve(".moquette_uuid"))).isFalse();
		assertThat(this.data).isNotEmptyDirectory();
	}

}

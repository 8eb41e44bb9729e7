package com.mqtthub.tls;

import java.time.Duration;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.TestKeystore;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MQTT over TLS, MQTT over secure WebSocket and HTTPS on the web port (with its same-origin
 * endpoint), all from one keystore made at test time.
 */
@HubTest
class TlsIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	private EmbeddedBroker broker;

	@LocalServerPort
	private int webPort;

	@DynamicPropertySource
	static void tls(DynamicPropertyRegistry registry) {
		String keystore = TestKeystore.path().toString();
		registry.add("mqtthub.broker.tls.keystore", () -> keystore);
		registry.add("mqtthub.broker.tls.keystore-password", () -> TestKeystore.PASSWORD);
		registry.add("mqtthub.broker.tls.ssl-port", () -> 0);
		registry.add("mqtthub.broker.tls.wss-port", () -> 0);
		registry.add("server.ssl.key-store", () -> "file:" + keystore);
		registry.add("server.ssl.key-store-type", () -> "PKCS12");
		registry.add("server.ssl.key-store-password", () -> TestKeystore.PASSWORD);
	}

	private static MqttConnectOptions tlsOptions() throws Exception {
		MqttConnectOptions options = MqttTestClient.options(true);
		options.setSocketFactory(TestKeystore.clientContext().getSocketFactory());
		return options;
	}

	private void roundTrip(String uri) throws Exception {
		String topic = "tls/" + UUID.randomUUID();
		try (MqttTestClient client = MqttTestClient.connect(uri, "tls-" + UUID.randomUUID().toString().substring(0, 8),
				tlsOptions())) {
			client.subscribe(topic, 1);
			client.publish(topic, "over TLS", 1, false);
			assertThat(client.awaitMessage(WAIT).payload()).isEqualTo("over TLS");
		}
	}

	@Test
	void tlsListenersBindTheirOwnPorts() {
		assertThat(this.broker.getSslPort()).isPositive();
		assertThat(this.broker.getSecureWebSocketPort()).isPositive();
	}

	@Test
	void mqttOverTls() throws Exception {
		roundTrip("ssl://127.0.0.1:" + this.broker.getSslPort());
	}

	@Test
	void mqttOverSecureWebSocket() throws Exception {
		roundTrip("wss://127.0.0.1:" + this.broker.getSecureWebSocketPort() + "/mqtt");
	}

	@Test
	void sameOriginEndpointOverHttps() throws Exception {
		roundTrip("wss://127.0.0.1:" + this.webPort + "/mqtt");
	}

	@Test
	void clientThatDoesNotTrustTheCertificateCannotConnect() throws Exception {
		try (MqttTestClient client = MqttTestClient.create("ssl://127.0.0.1:" + this.broker.getSslPort(),
				"untrusting")) {
			assertThatThrownBy(() -> client.paho().connect(MqttTestClient.options(true)))
				.isInstanceOf(MqttException.class);
		}
	}

}

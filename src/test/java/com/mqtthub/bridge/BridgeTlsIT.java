package com.mqtthub.bridge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Mosquitto that lets in only clients with a certificate from its authority
 * ({@code require_certificate true}): the bridge with {@code tls.keystore} connects and forwards,
 * the one without it stays out, backing off with the error.
 */
@HubTest
class BridgeTlsIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String SECRET = "bridge-store-secret";

	private static Path certificates;

	private static Mosquitto remote;

	@Autowired
	private BridgeService bridges;

	@Autowired
	private EmbeddedBroker broker;

	@BeforeAll
	static void startRemote() throws Exception {
		Mosquitto.assumeAvailable();
		certificates = Path.of("target/test-data/bridge-tls-" + UUID.randomUUID()).toAbsolutePath();
		Files.createDirectories(certificates);
		// An authority, a server certificate for 127.0.0.1 and a client certificate, both from it.
		run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days",
				"2", "-subj", "/CN=bridge-test-ca");
		Files.writeString(certificates.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n");
		run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
				"/CN=127.0.0.1");
		run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
				"-out", "server.crt", "-days", "2", "-extfile", "server.ext");
		run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
				"/CN=hub-bridge");
		run("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
				"-out", "client.crt", "-days", "2");
		run("openssl", "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
				"-name", "bridge", "-passout", "pass:" + SECRET);
		run(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
				"-alias", "ca", "-file", "ca.crt", "-keystore", "trust.p12", "-storetype", "PKCS12", "-storepass",
				SECRET);
		remote = Mosquitto.configure(Path.of("target/test-data/mosquitto-" + UUID.randomUUID()), null,
				List.of("cafile " + certificates.resolve("ca.crt"), "certfile " + certificates.resolve("server.crt"),
						"keyfile " + certificates.resolve("server.key"), "require_certificate true"));
		remote.start();
	}

	private static void run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(certificates.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
		}
	}

	@AfterAll
	static void stopRemote() throws Exception {
		if (remote != null) {
			remote.close();
		}
	}

	@DynamicPropertySource
	static void bridges(DynamicPropertyRegistry registry) {
		bridge(registry, 0, "with-cert", true);
		bridge(registry, 1, "without-cert", false);
	}

	private static void bridge(DynamicPropertyRegistry registry, int index, String name, boolean certificate) {
		String at = "mqtthub.bridges[" + index + "].";
		registry.add(at + "name", () -> name);
		registry.add(at + "addresses[0]", () -> "ssl://127.0.0.1:" + remote.port());
		registry.add(at + "reconnect.initial-delay", () -> "200ms");
		registry.add(at + "reconnect.max-delay", () -> "1s");
		registry.add(at + "tls.truststore", () -> certificates.resolve("trust.p12").toString());
		registry.add(at + "tls.truststore-password", () -> SECRET);
		if (certificate) {
			registry.add(at + "tls.keystore", () -> certificates.resolve("client.p12").toString());
			registry.add(at + "tls.keystore-password", () -> SECRET);
			registry.add(at + "tls.keystore-type", () -> "PKCS12");
		}
		registry.add(at + "topics[0].filter", () -> name + "/#");
	}

	@Test
	void onlyTheBridgeWithAClientCertificateGetsIn() throws Exception {
		BridgeLink with = this.bridges.link("with-cert").orElseThrow();
		BridgeLink without = this.bridges.link("without-cert").orElseThrow();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (with.state() != BridgeState.CONNECTED && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(with.state()).as("with a client certificate: %s", with.lastError()).isEqualTo(BridgeState.CONNECTED);

		// The test's own subscriber needs a certificate too: it shows the bridge's socket factory.
		MqttConnectOptions options = MqttTestClient.anonymousOptions(true);
		options.setSocketFactory(RemoteClients.socketFactory(with.definition()));
		try (MqttTestClient subscriber = MqttTestClient.connect("ssl://127.0.0.1:" + remote.port(),
				"tls-sub-" + UUID.randomUUID(), options);
				MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
						"tls-pub-" + UUID.randomUUID())) {
			subscriber.subscribe("#", 1);
			publisher.publish("with-cert/a", "over mutual TLS", 1, false);
			publisher.publish("without-cert/a", "queued", 1, false);
			assertThat(subscriber.awaitMessage(WAIT).toString()).isEqualTo("with-cert/a:over mutual TLS");
		}

		deadline = System.nanoTime() + WAIT.toNanos();
		List<BridgeState> seen = new ArrayList<>();
		while (without.attempts() < 3 && System.nanoTime() < deadline) {
			seen.add(without.state());
			Thread.sleep(20);
		}
		assertThat(without.attempts()).isGreaterThanOrEqualTo(3);
		assertThat(seen).as("without a certificate it never gets in").doesNotContain(BridgeState.CONNECTED);
		assertThat(without.forwarded()).isZero();
		assertThat(without.queue().size()).as("kept in the queue").isEqualTo(1);

		// The API shows the key store, never its password.
		BridgeRequest shown = BridgeRequest.of(with.definition());
		assertThat(shown.tls().keystore()).endsWith("client.p12");
		assertThat(shown.tls().keystorePassword()).isNull();
		assertThat(shown.tls().keystoreType()).isEqualTo("PKCS12");
	}

}

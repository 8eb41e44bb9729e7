package com.mqtthub.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bridges stored in a real PostgreSQL server: the migration creates their tables there, a bridge
 * with two addresses, two rules and a password is stored (the password only encrypted, its key
 * in a 0600 file in the data directory), and after a restart it is back, password included; with
 * another key it is listed but not started, saying why.
 */
class PostgresBridgeStoreIT {

	private static final String PASSWORD = "remote-password-in-pg";

	@TempDir
	Path data;

	private ConfigurableApplicationContext start(PostgresServer postgres, String... more) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--mqtthub.broker.port=0",
				"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
				"--mqtthub.security.admin.password=postgres-root-2", "--spring.datasource.url=" + postgres.jdbcUrl(),
				"--spring.datasource.username=" + PostgresServer.USER, "--spring.datasource.password="));
		args.addAll(List.of(more));
		return SpringApplication.run(MqttHubApplication.class, args.toArray(String[]::new));
	}

	@Test
	void bridgesAreStoredInPostgresqlWithTheirPasswordEncrypted() throws Exception {
		try (PostgresServer postgres = PostgresServer.start()) {
			try (ConfigurableApplicationContext hub = start(postgres)) {
				BridgeRequest request = new BridgeRequest("pg-bridge", List.of("ssl://127.0.0.1:1", "wss://127.0.0.1:2/mqtt"),
						"pg-client", "pg-user", PASSWORD, null, "30s", true, null, 5, true, true,
						new BridgeRequest.Tls(null, null, null, com.mqtthub.testing.TestKeystore.path().toString(),
								com.mqtthub.testing.TestKeystore.PASSWORD, "PKCS12"),
						new BridgeRequest.Queue("64MB", 5000L), new BridgeRequest.Reconnect("500ms", "2m"),
						List.of(new BridgeRequest.Rule("a/#", "out", 2, "", "site/"),
								new BridgeRequest.Rule("cmd/+", "in", 0, "local/", "")),
						"round-robin", "hub-b-bridge");
				hub.getBean(StoredBridges.class).create(request);
			}
			Path keyFile = this.data.resolve("bridge-secrets.key");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");

			try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
					Statement statement = connection.createStatement()) {
				try (ResultSet bridge = statement.executeQuery(
						"select password_encrypted, keep_alive_ms, queue_max_bytes, paused, failover, "
								+ "keystore_password_encrypted from bridge where name = 'pg-bridge'")) {
					assertThat(bridge.next()).isTrue();
					assertThat(bridge.getString(1)).startsWith("v1:").doesNotContain(PASSWORD);
					assertThat(bridge.getLong(2)).isEqualTo(30_000);
					assertThat(bridge.getLong(3)).isEqualTo(64L << 20);
					assertThat(bridge.getBoolean(4)).isTrue();
					assertThat(bridge.getString(5)).isEqualTo("round-robin");
					assertThat(bridge.getString(6)).startsWith("v1:")
						.doesNotContain(com.mqtthub.testing.TestKeystore.PASSWORD);
				}
				List<String> rows = new ArrayList<>();
				try (ResultSet rules = statement.executeQuery("select position, topic_filter, direction, qos, "
						+ "local_prefix, remote_prefix from bridge_topic_rule order by position")) {
					while (rules.next()) {
						rows.add(rules.getInt(1) + " " + rules.getString(2) + " " + rules.getString(3) + " "
								+ rules.getInt(4) + " [" + rules.getString(5) + "] [" + rules.getString(6) + "]");
					}
				}
				assertThat(rows).containsExactly("0 a/# out 2 [] [site/]", "1 cmd/+ in 0 [local/] []");
			}

			try (ConfigurableApplicationContext again = start(postgres)) {
				BridgeLink link = again.getBean(BridgeService.class).link("pg-bridge").orElseThrow();
				BridgeView view = BridgeView.of(link, again.getBean(BridgeService.class).source("pg-bridge"));
				assertThat(view.source()).isEqualTo("database");
				assertThat(view.password()).isEqualTo("set");
				assertThat(view.addresses()).containsExactly("ssl://127.0.0.1:1", "wss://127.0.0.1:2/mqtt");
				assertThat(view.definition().reconnect()).isEqualTo(new BridgeRequest.Reconnect("500ms", "2m"));
				assertThat(view.definition().queue()).isEqualTo(new BridgeRequest.Queue("64MB", 5000L));
				assertThat(view.definition().failover()).isEqualTo("round-robin");
				assertThat(view.definition().peerClientId()).isEqualTo("hub-b-bridge");
				assertThat(view.definition().tls().keystore()).isEqualTo(com.mqtthub.testing.TestKeystore.path().toString());
				assertThat(view.definition().tls().keystorePassword()).isNull();
				long deadline = System.nanoTime() + 20_000_000_000L;
				while (link.state() != BridgeState.PAUSED && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				assertThat(link.state()).as("stored paused").isEqualTo(BridgeState.PAUSED);
				assertThat(link.lastError()).as("the password decrypts with the key file").isNull();
			}

			// Another key (the key file lost, say): the bridge is listed, not started, and says why.
			String otherKey = java.util.Base64.getEncoder().encodeToString(new byte[32]);
			try (ConfigurableApplicationContext otherKeyHub = start(postgres, "--mqtthub.bridge-secrets.key=" + otherKey)) {
				BridgeLink link = otherKeyHub.getBean(BridgeService.class).link("pg-bridge").orElseThrow();
				assertThat(link.state()).isEqualTo(BridgeState.STOPPED);
				assertThat(link.lastError()).contains("cannot be decrypted with this key");
			}
		}
	}

}

package com.mqtthub.security;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.PostgresServer;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The user database on a real PostgreSQL server, as the README offers: the migrations create the
 * tables, the first administrator and a new user are stored there (as bcrypt hashes), MQTT
 * clients log in against them, and they are still there after a restart.
 */
class PostgresUserDatabaseIT {

	private static final String ADMIN_PASSWORD = "postgres-root-1";

	private static final String DEVICE_PASSWORD = "stored in postgres 1";

	@TempDir
	Path data;

	private ConfigurableApplicationContext start(PostgresServer postgres) {
		return SpringApplication.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=0",
				"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
				"--mqtthub.security.admin.password=" + ADMIN_PASSWORD, "--spring.datasource.url=" + postgres.jdbcUrl(),
				"--spring.datasource.username=" + PostgresServer.USER, "--spring.datasource.password=");
	}

	private static String tcp(ConfigurableApplicationContext context) {
		return "tcp://127.0.0.1:" + context.getBean(EmbeddedBroker.class).getTcpPort();
	}

	@Test
	void usersLiveInPostgresqlAndMqttClientsLogInAgainstThem() throws Exception {
		try (PostgresServer postgres = PostgresServer.start()) {
			try (ConfigurableApplicationContext hub = start(postgres)) {
				hub.getBean(UserService.class).create("pg-device", DEVICE_PASSWORD, Role.USER, true);
				try (MqttTestClient client = MqttTestClient.connect(tcp(hub), "pg-device-1",
						MqttTestClient.options(true, "pg-device", DEVICE_PASSWORD))) {
					assertThat(client.isConnected()).isTrue();
				}
				try (MqttTestClient wrong = MqttTestClient.create(tcp(hub), "pg-device-2")) {
					assertThatThrownBy(() -> wrong.paho().connect(MqttTestClient.options(true, "pg-device", "not it at all")))
						.isInstanceOfSatisfying(MqttSecurityException.class, (ex) -> assertThat(ex.getReasonCode())
							.isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
				}
			}

			try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), PostgresServer.USER, "");
					Statement statement = connection.createStatement()) {
				try (ResultSet migrations = statement
					.executeQuery("select count(*) from flyway_schema_history where success")) {
					migrations.next();
					assertThat(migrations.getInt(1)).isPositive();
				}
				List<String> rows = new ArrayList<>();
				try (ResultSet users = statement
					.executeQuery("select username, role, password_hash from hub_user order by username")) {
					while (users.next()) {
						rows.add(users.getString(1) + " " + users.getString(2) + " " + users.getString(3).substring(0, 8));
					}
				}
				assertThat(rows).containsExactly("admin ADMIN {bcrypt}", "pg-device USER {bcrypt}");
			}

			try (ConfigurableApplicationContext again = start(postgres);
					MqttTestClient client = MqttTestClient.connect(tcp(again), "pg-device-3",
							MqttTestClient.options(true, "pg-device", DEVICE_PASSWORD))) {
				assertThat(client.isConnected()).isTrue();
			}
		}
	}

}

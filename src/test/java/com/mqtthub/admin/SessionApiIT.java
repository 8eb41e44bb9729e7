package com.mqtthub.admin;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static com.mqtthub.testing.RawMqttClient.CONNACK;
import static com.mqtthub.testing.RawMqttClient.PUBACK;
import static com.mqtthub.testing.RawMqttClient.PUBLISH;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An administrator deletes any session, connected or not, whatever its client id: its
 * queued and in-flight messages go with it, and its client id is free for another user.
 */
@HubTest
class SessionApiIT {

	private static final Duration QUIET = Duration.ofMillis(700);

	private static final String PASSWORD = "session-api-Secret-42";

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	private RawMqttClient open() throws IOException {
		return new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
	}

	@Test
	void deletingASessionDropsItsMessagesAndFreesItsClientId() throws Exception {
		String clientId = "odd/id %2F ../" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "sessions/" + UUID.randomUUID();
		try (RawMqttClient owner = open(); RawMqttClient publisher = open()) {
			assertThat(owner.connect(new Connect(clientId).cleanSession(false))).isZero();
			owner.subscribeAndAwait(1, topic, 1);
			assertThat(publisher.connect(new Connect("pub-" + UUID.randomUUID()))).isZero();
			publisher.publish(topic, "in flight", 1, false, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);
			assertThat(owner.read().type()).isEqualTo(PUBLISH);
			owner.close();
			publisher.publish(topic, "queued", 1, false, 2, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);
		}

		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		String path = "/api/clients/sessions?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8);
		assertThat(admin.json("DELETE", path, null, admin.csrfToken()).statusCode()).isEqualTo(204);
		assertThat(admin.json("DELETE", path, null, admin.csrfToken()).statusCode()).isEqualTo(404);

		String other = "other-" + UUID.randomUUID().toString().substring(0, 8);
		this.users.create(other, PASSWORD, Role.ADMIN, true);
		try (RawMqttClient newcomer = open()) {
			newcomer.send(new Connect(clientId).cleanSession(false).credentials(other, PASSWORD).toBytes());
			Packet connAck = newcomer.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()[1]).as("accepted").isZero();
			assertThat(connAck.body()[0]).as("session present").isZero();
			assertThat(newcomer.poll(QUIET)).isNull();
		}
	}

	@Test
	void onlyAdministratorsMayDeleteSessions() throws Exception {
		String user = "u" + UUID.randomUUID().toString().substring(0, 8);
		this.users.create(user, PASSWORD, Role.USER, true);
		WebSession session = new WebSession(this.port);
		session.login(user, PASSWORD);
		assertThat(session.json("DELETE", "/api/clients/sessions?clientId=anything", null, session.csrfToken())
			.statusCode()).isEqualTo(403);
	}

}

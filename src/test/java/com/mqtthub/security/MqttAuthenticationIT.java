package com.mqtthub.security;

import java.time.Duration;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.WebSession;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * MQTT CONNECT against the user database, with real clients, under the default that refuses
 * anonymous clients; the lock-out after repeated failures, with a short window and duration; and
 * the memory of verified credentials.
 */
@HubTest
@org.springframework.test.context.TestPropertySource(properties = { "mqtthub.security.lockout.max-failures=3",
		"mqtthub.security.lockout.delay=15s", "mqtthub.security.lockout.window=30s",
		"mqtthub.security.lockout.duration=5s" })
@ExtendWith(OutputCaptureExtension.class)
class MqttAuthenticationIT {

	/** Paho's code for CONNACK return code 4, "bad user name or password". */
	private static final int BAD_USER_NAME_OR_PASSWORD = MqttException.REASON_CODE_FAILED_AUTHENTICATION;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@LocalServerPort
	private int webPort;

	private String tcp() {
		return "tcp://127.0.0.1:" + this.broker.getTcpPort();
	}

	private static String name(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private int refusal(String username, String password) {
		try (MqttTestClient client = MqttTestClient.create(tcp(), name("client"))) {
			client.paho().connect(MqttTestClient.options(true, username, password));
			return 0;
		}
		catch (MqttSecurityException ex) {
			return ex.getReasonCode();
		}
		catch (MqttException ex) {
			throw new AssertionError("Expected a refusal for bad credentials, got " + ex, ex);
		}
	}

	@Test
	void disablingOrDeletingAUserEndsItsOpenConnections() throws Exception {
		String disabled = name("disabled-live");
		String deleted = name("deleted-live");
		this.users.create(disabled, "correct horse", Role.USER, true);
		this.users.create(deleted, "correct horse", Role.USER, true);
		try (MqttTestClient first = MqttTestClient.connect(tcp(), name("c"),
				MqttTestClient.options(true, disabled, "correct horse"));
				MqttTestClient second = MqttTestClient.connect(tcp(), name("c"),
						MqttTestClient.options(true, deleted, "correct horse"));
				MqttTestClient bystander = MqttTestClient.connect(tcp(), name("c"))) {
			this.users.update(disabled, Role.USER, false);
			this.users.delete(deleted);

			await().atMost(Duration.ofSeconds(10)).until(() -> !first.isConnected() && !second.isConnected());
			assertThat(bystander.isConnected()).isTrue();
		}
	}

	@Test
	void validUserConnects() throws Exception {
		String user = name("valid");
		this.users.create(user, "correct horse", Role.USER, true);
		assertThat(refusal(user, "correct horse")).isZero();
	}

	@Test
	void wrongPasswordIsRefusedAsBadUserNameOrPassword() throws Exception {
		String user = name("wrong");
		this.users.create(user, "correct horse", Role.USER, true);
		assertThat(refusal(user, "battery staple")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
	}

	@Test
	void unknownUserGetsTheSameAnswer() {
		assertThat(refusal(name("nobody"), "whatever1")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
	}

	@Test
	void disabledUserGetsTheSameAnswer() throws Exception {
		String user = name("disabled");
		this.users.create(user, "correct horse", Role.USER, false);
		assertThat(refusal(user, "correct horse")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
	}

	@Test
	void userWithoutPasswordIsRefused() {
		assertThat(refusal(HubTest.ADMIN, null)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
	}

	@Test
	void anonymousClientIsRefusedByDefault() throws Exception {
		try (MqttTestClient client = MqttTestClient.create(tcp(), name("anon"))) {
			assertThatThrownBy(() -> client.paho().connect(MqttTestClient.anonymousOptions(true)))
				.isInstanceOfSatisfying(MqttException.class,
						(ex) -> assertThat(ex.getReasonCode()).isEqualTo(BAD_USER_NAME_OR_PASSWORD));
		}
	}

	@Test
	void repeatedFailuresMakeTheUserWaitAtThatAddressOnlyAndItRecovers(CapturedOutput output) throws Exception {
		String user = name("locked");
		this.users.create(user, "correct horse", Role.USER, true);
		for (int i = 0; i < 3; i++) {
			assertThat(refusal(user, "guess number " + i)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
		}
		// Locked out: even the right password is refused, with the same answer.
		assertThat(refusal(user, "correct horse")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
		assertThat(output).contains("Logins for user name '" + user + "' from 127.0.0.1 wait 15s after 3 failed attempts");
		// A stranger's failures from 127.0.0.1 do not lock the user out of another address.
		try (RawMqttClient elsewhere = new RawMqttClient("127.0.0.1", this.broker.getTcpPort(), "127.0.0.2")) {
			assertThat(elsewhere.connect(new RawMqttClient.Connect(name("c")).credentials(user, "correct horse")))
				.isZero();
		}

		await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(40))
			.until(() -> refusal(user, "correct horse") == 0);
	}

	@Test
	void mqttFailuresAlsoLockTheWebLogin() throws Exception {
		String user = name("shared");
		this.users.create(user, "correct horse", Role.USER, true);
		for (int i = 0; i < 3; i++) {
			refusal(user, "guess number " + i);
		}
		WebSession web = new WebSession(this.webPort);
		assertThat(web.login(user, "correct horse").headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).endsWith("/login?error"));
	}

	@Test
	void aReturningClientIsLetInFromMemoryUntilItsPasswordChanges(@Autowired MqttUserAuthenticator authenticator)
			throws Exception {
		String user = name("returning");
		this.users.create(user, "correct horse", Role.USER, true);
		assertThat(refusal(user, "correct horse")).isZero();
		byte[] password = "correct horse".getBytes(java.nio.charset.StandardCharsets.UTF_8);
		assertThat(authenticator.precheck("c", user, password, "127.0.0.1"))
			.isEqualTo(com.mqtthub.broker.MqttAuthenticator.Precheck.ACCEPT);
		assertThat(refusal(user, "correct horse")).isZero();

		this.users.changePassword(user, "new horse battery");
		assertThat(authenticator.precheck("c", user, password, "127.0.0.1"))
			.isEqualTo(com.mqtthub.broker.MqttAuthenticator.Precheck.CHECK);
		assertThat(refusal(user, "correct horse")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
		assertThat(refusal(user, "new horse battery")).isZero();

		this.users.update(user, Role.USER, false);
		assertThat(refusal(user, "new horse battery")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
	}

	@Test
	void passwordsNeverReachTheLog(CapturedOutput output) throws Exception {
		String user = name("quiet");
		this.users.create(user, "never-log-me-1", Role.USER, true);
		refusal(user, "never-log-me-2");
		refusal(user, "never-log-me-1");
		this.users.changePassword(user, "never-log-me-3");
		assertThat(output).contains(user).doesNotContain("never-log-me");
	}

}

package com.mqtthub.security;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Taking something away from a user (disable, demote, delete, new password) ends at once what it
 * holds: its web sessions (the very next request is refused), its live dashboard stream and its
 * MQTT connections. A bystander keeps all of it.
 */
@HubTest
class RevocationIT {

	private static final String PASSWORD = "revocable secret 1";

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	private static String name(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** What one administrator holds: a web session, a dashboard stream and an MQTT connection. */
	private final class Holdings implements AutoCloseable {

		final WebSession web = new WebSession(RevocationIT.this.port);

		final MqttTestClient mqtt;

		final HttpClient streamClient = HttpClient.newHttpClient();

		final CompletableFuture<Boolean> streamEnded;

		Holdings(String user) throws Exception {
			assertThat(this.web.login(user, PASSWORD).headers().firstValue("Location").orElseThrow())
				.doesNotContain("error");
			assertThat(this.web.get("/api/users").statusCode()).isEqualTo(200);
			this.mqtt = MqttTestClient.connect("tcp://127.0.0.1:" + RevocationIT.this.broker.getTcpPort(), name("c"),
					MqttTestClient.options(true, user, PASSWORD));
			String cookie = this.web.cookieHeader();
			HttpResponse<InputStream> stream = this.streamClient.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RevocationIT.this.port + "/api/metrics/stream"))
						.header("Cookie", cookie)
						.header("Accept", "text/event-stream")
						.build(),
					HttpResponse.BodyHandlers.ofInputStream());
			assertThat(stream.statusCode()).isEqualTo(200);
			InputStream body = stream.body();
			assertThat(body.read()).isNotNegative();
			this.streamEnded = CompletableFuture.supplyAsync(() -> {
				byte[] buffer = new byte[4096];
				try (body) {
					while (body.read(buffer) >= 0) {
						// Snapshots keep coming while the stream lives.
					}
					return true;
				}
				catch (java.io.IOException ex) {
					return true;
				}
			});
		}

		void assertRevoked() throws Exception {
			assertThat(this.streamEnded.get(10, TimeUnit.SECONDS)).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.mqtt.isConnected());
			int status = this.web.get("/api/users").statusCode();
			assertThat(status).isEqualTo(401);
			assertThat(this.web.get("/admin/users").headers().firstValue("Location").orElse(""))
				.contains("/login");
		}

		void assertKept() throws Exception {
			assertThat(this.streamEnded).isNotDone();
			assertThat(this.mqtt.isConnected()).isTrue();
			assertThat(this.web.get("/api/users").statusCode()).isEqualTo(200);
		}

		@Override
		public void close() throws Exception {
			this.mqtt.close();
			this.streamEnded.cancel(true);
		}

	}

	private String newAdmin() {
		String user = name("adm");
		this.users.create(user, PASSWORD, Role.ADMIN, true);
		return user;
	}

	@Test
	void disablingEndsEverything() throws Exception {
		revokes((user) -> this.users.update(user, Role.ADMIN, false));
	}

	@Test
	void demotingEndsEverythingAndTheNewLoginHasOnlyTheNewRole() throws Exception {
		String user = revokes((u) -> this.users.update(u, Role.USER, true));
		WebSession again = new WebSession(this.port);
		again.login(user, PASSWORD);
		assertThat(again.get("/api/users").statusCode()).isEqualTo(403);
	}

	@Test
	void aNewPasswordEndsEverything() throws Exception {
		revokes((user) -> this.users.changePassword(user, "brand new secret 2"));
	}

	@Test
	void deletingEndsEverything() throws Exception {
		revokes((user) -> this.users.delete(user));
	}

	@Test
	void anAdministratorDisabledThroughTheApiCannotCreateAnotherAdministrator() throws Exception {
		String victim = newAdmin();
		try (Holdings held = new Holdings(victim)) {
			WebSession root = new WebSession(this.port);
			root.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
			String csrf = root.csrfToken();
			assertThat(root.json("PUT", "/api/users/" + victim, "{\"role\":\"USER\",\"enabled\":false}", csrf)
				.statusCode()).isEqualTo(200);
			held.assertRevoked();
			String created = name("sneaky");
			held.web.json("POST", "/api/users",
					"{\"username\":\"" + created + "\",\"password\":\"sneaky secret 12\",\"role\":\"ADMIN\"}", csrf);
			assertThat(this.users.find(created)).isEmpty();
		}
	}

	private String revokes(ThrowingConsumer change) throws Exception {
		String user = newAdmin();
		String bystander = newAdmin();
		try (Holdings held = new Holdings(user); Holdings kept = new Holdings(bystander)) {
			change.accept(user);
			held.assertRevoked();
			kept.assertKept();
		}
		return user;
	}

	@FunctionalInterface
	private interface ThrowingConsumer {

		void accept(String user) throws Exception;

	}

}

package com.mqtthub.bridge;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bridges managed over {@code /api/bridges}: one created over the API connects to a real
 * Mosquitto that wants its password and forwards a message; an edit that leaves the password
 * out keeps it and takes effect at once; a deletion stops it; bad definitions get 400 with a
 * message per field; the configuration's bridge is read-only; users other than administrators
 * get 403; the password is never shown or logged, and stored only encrypted.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class BridgeApiIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Duration SETTLE = Duration.ofSeconds(1);

	private static final String REMOTE_USER = "api-bridge";

	private static final String REMOTE_PASSWORD = "remote-api-secret-0815";

	private static final ObjectMapper json = new ObjectMapper();

	private static Mosquitto remote;

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private MeterRegistry registry;

	@Autowired
	private JdbcClient jdbc;

	@Autowired
	private UserService users;

	@BeforeAll
	static void startRemote() throws Exception {
		remote = Mosquitto.startForTest(REMOTE_USER + ":" + REMOTE_PASSWORD);
	}

	@AfterAll
	static void stopRemote() throws Exception {
		Mosquitto.closeIfStarted(remote);
	}

	/** A bridge in the configuration, paused so that it stays quiet. */
	@DynamicPropertySource
	static void configuredBridge(DynamicPropertyRegistry registry) {
		registry.add("mqtthub.bridges[0].name", () -> "configured");
		registry.add("mqtthub.bridges[0].addresses[0]", () -> remote.uri());
		registry.add("mqtthub.bridges[0].paused", () -> "true");
		registry.add("mqtthub.bridges[0].topics[0].filter", () -> "conf/#");
	}

	private static String definition(String name, String filter, String password) {
		return """
				{"name": "%s", "addresses": ["%s"], "username": "%s", %s
				 "reconnect": {"initialDelay": "200ms", "maxDelay": "1s"},
				 "topics": [{"filter": "%s", "direction": "out", "qos": 1, "remotePrefix": "hub/"}]}"""
			.formatted(name, remote.uri(), REMOTE_USER,
					(password != null) ? "\"password\": \"" + password + "\"," : "", filter);
	}

	private MqttTestClient local() throws Exception {
		return MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), "pub-" + UUID.randomUUID());
	}

	private static MqttTestClient remoteSubscriber(String filter) throws Exception {
		MqttTestClient client = MqttTestClient.connect(remote.uri(), "sub-" + UUID.randomUUID(),
				MqttTestClient.options(true, REMOTE_USER, REMOTE_PASSWORD));
		client.subscribe(filter, 1);
		return client;
	}

	private static JsonNode awaitState(WebSession admin, String name, String state) throws Exception {
		long deadline = System.nanoTime() + WAIT.toNanos();
		JsonNode view;
		do {
			view = json.readTree(admin.get("/api/bridges/" + name).body());
			if (state.equals(view.path("state").asString())) {
				return view;
			}
			Thread.sleep(50);
		}
		while (System.nanoTime() < deadline);
		assertThat(view.path("state").asString()).as("state of %s: %s", name, view).isEqualTo(state);
		return view;
	}

	private static List<String> fields(HttpResponse<String> response) {
		List<String> fields = new ArrayList<>();
		json.readTree(response.body()).path("fields").forEach((f) -> fields.add(f.path("field").asString()));
		return fields;
	}

	@Test
	void createEditAndDeleteABridgeThatForwardsToMosquitto(CapturedOutput output) throws Exception {
		WebSession admin = new WebSession(this.port);
		assertThat(admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
		String csrf = admin.csrfToken();
		assertThat(admin.json("POST", "/api/bridges", definition("api-edge", "api/#", REMOTE_PASSWORD), null)
			.statusCode()).as("without the CSRF token").isEqualTo(403);

		HttpResponse<String> created = admin.json("POST", "/api/bridges",
				definition("api-edge", "api/#", REMOTE_PASSWORD), csrf);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode view = json.readTree(created.body());
		assertThat(view.path("source").asString()).isEqualTo("database");
		assertThat(view.path("password").asString()).isEqualTo("set");
		assertThat(view.path("definition").path("password").isNull()).isTrue();
		assertThat(view.path("definition").path("failover").asString()).as("the default").isEqualTo("in-order");
		assertThat(created.body()).doesNotContain(REMOTE_PASSWORD);

		// Connected with the stored password (Mosquitto refuses anyone without it) and forwarding.
		awaitState(admin, "api-edge", "CONNECTED");
		try (MqttTestClient subscriber = remoteSubscriber("hub/#"); MqttTestClient publisher = local()) {
			publisher.publish("api/kitchen", "21", 1, false);
			assertThat(subscriber.awaitMessage(WAIT).toString()).isEqualTo("hub/api/kitchen:21");

			// An edit without the password keeps it, and applies at once.
			HttpResponse<String> edited = admin.json("PUT", "/api/bridges/api-edge",
					definition("api-edge", "edited/#", null), csrf);
			assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
			assertThat(json.readTree(edited.body()).path("password").asString()).isEqualTo("set");
			awaitState(admin, "api-edge", "CONNECTED");
			publisher.publish("api/kitchen", "not any more", 1, false);
			publisher.publish("edited/hall", "19", 1, false);
			assertThat(subscriber.awaitMessage(WAIT).toString()).isEqualTo("hub/edited/hall:19");
			Thread.sleep(SETTLE.toMillis());
			assertThat(subscriber.drain()).isEmpty();
		}
		String stored = this.jdbc.sql("select password_encrypted from bridge where name = 'api-edge'")
			.query(String.class)
			.single();
		assertThat(stored).startsWith("v1:").doesNotContain(REMOTE_PASSWORD);
		// Counted across the edit (which replaced the link); the last acknowledgement may still be on its way.
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (forwarded("api-edge") < 2 && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(forwarded("api-edge")).isEqualTo(2);

		HttpResponse<String> list = admin.get("/api/bridges");
		assertThat(list.body()).doesNotContain(REMOTE_PASSWORD);
		JsonNode all = json.readTree(list.body());
		assertThat(all).hasSize(2);
		assertThat(all.get(0).path("name").asString()).isEqualTo("configured");
		assertThat(all.get(0).path("source").asString()).isEqualTo("configuration");

		// Pausing a stored bridge is stored: it stays paused across a restart.
		assertThat(admin.json("POST", "/api/bridges/api-edge/pause", "", csrf).statusCode()).isEqualTo(200);
		assertThat(this.jdbc.sql("select paused from bridge where name = 'api-edge'").query(Boolean.class).single())
			.isTrue();
		assertThat(awaitState(admin, "api-edge", "PAUSED").path("definition").path("paused").asBoolean()).isTrue();
		assertThat(admin.json("POST", "/api/bridges/api-edge/resume", "", csrf).statusCode()).isEqualTo(200);
		assertThat(this.jdbc.sql("select paused from bridge where name = 'api-edge'").query(Boolean.class).single())
			.isFalse();

		HttpResponse<String> duplicate = admin.json("POST", "/api/bridges",
				definition("api-edge", "api/#", null), csrf);
		assertThat(duplicate.statusCode()).isEqualTo(409);
		assertThat(json.readTree(duplicate.body()).path("detail").asString()).contains("exists already");

		HttpResponse<String> deleted = admin.json("DELETE", "/api/bridges/api-edge", null, csrf);
		assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
		assertThat(admin.get("/api/bridges/api-edge").statusCode()).isEqualTo(404);
		assertThat(this.jdbc.sql("select count(*) from bridge").query(Integer.class).single()).isZero();
		assertThat(this.registry.find("mqtthub.bridge.messages.forwarded").tag("bridge", "api-edge").functionCounter())
			.as("meters of a deleted bridge").isNull();
		try (MqttTestClient subscriber = remoteSubscriber("hub/#"); MqttTestClient publisher = local()) {
			publisher.publish("edited/hall", "after the deletion", 1, false);
			Thread.sleep(SETTLE.toMillis());
			assertThat(subscriber.drain()).isEmpty();
		}
		assertThat(admin.json("DELETE", "/api/bridges/api-edge", null, csrf).statusCode()).isEqualTo(404);
		assertThat(output.getOut()).doesNotContain(REMOTE_PASSWORD);
	}

	private double forwarded(String name) {
		return this.registry.get("mqtthub.bridge.messages.forwarded").tag("bridge", name).functionCounter().count();
	}

	@Test
	void refusesBadDefinitionsFieldByField() throws Exception {
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		String csrf = admin.csrfToken();
		HttpResponse<String> bad = admin.json("POST", "/api/bridges", """
				{"name": "bad name", "addresses": ["http://example:80"], "keepAlive": "soon", "failover": "random",
				 "passwordEnv": "MQTTHUB_TEST_NOT_SET_ANYWHERE", "queue": {"maxBytes": "12 parsecs"},
				 "topics": [{"filter": "a/#/b", "direction": "sideways", "qos": 3, "localPrefix": "x/+/"}]}""",
				csrf);
		assertThat(bad.statusCode()).isEqualTo(400);
		assertThat(bad.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
		assertThat(fields(bad)).containsExactlyInAnyOrder("name", "failover", "addresses[0]", "keepAlive", "passwordEnv",
				"queue.maxBytes", "topics[0].filter", "topics[0].direction", "topics[0].qos",
				"topics[0].localPrefix");
		JsonNode first = json.readTree(bad.body()).path("fields").get(0);
		assertThat(first.path("message").asString()).isNotBlank();

		HttpResponse<String> noRules = admin.json("POST", "/api/bridges",
				"{\"name\": \"norules\", \"addresses\": [\"tcp://127.0.0.1:1\"]}", csrf);
		assertThat(noRules.statusCode()).isEqualTo(400);
		assertThat(fields(noRules)).containsExactly("topics");
		assertThat(admin.json("POST", "/api/bridges", "[1, 2]", csrf).statusCode()).isEqualTo(400);
		assertThat(admin.json("POST", "/api/bridges", "{\"name\": \"x\", \"addresses\": [\"" + "a".repeat(300_000)
				+ "\"]}", csrf).statusCode()).isEqualTo(413);
		assertThat(admin.json("PUT", "/api/bridges/nothing-here", definition("nothing-here", "a/#", null), csrf)
			.statusCode()).isEqualTo(404);
		assertThat(this.jdbc.sql("select count(*) from bridge").query(Integer.class).single()).isZero();
	}

	@Test
	void theConfigurationsBridgesAreReadOnlyAndOnlyAdministratorsManageBridges() throws Exception {
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		String csrf = admin.csrfToken();
		HttpResponse<String> clash = admin.json("POST", "/api/bridges", definition("configured", "a/#", null), csrf);
		assertThat(clash.statusCode()).isEqualTo(409);
		HttpResponse<String> edit = admin.json("PUT", "/api/bridges/configured", definition("configured", "a/#", null),
				csrf);
		assertThat(edit.statusCode()).isEqualTo(409);
		assertThat(json.readTree(edit.body()).path("detail").asString()).contains("read-only");
		assertThat(admin.json("DELETE", "/api/bridges/configured", null, csrf).statusCode()).isEqualTo(409);
		assertThat(json.readTree(admin.get("/api/bridges/configured").body()).path("source").asString())
			.isEqualTo("configuration");
		// The API description shows what POST and PUT take.
		JsonNode apiDocs = json.readTree(admin.get("/v3/api-docs").body());
		assertThat(apiDocs.path("paths").path("/api/bridges").path("post").path("requestBody").toString())
			.contains("BridgeRequest");
		assertThat(apiDocs.path("components").path("schemas").path("BridgeRequest").path("properties").has("topics"))
			.isTrue();

		this.users.create("bridge-user", "plain-user-password-1", Role.USER, true);
		WebSession user = new WebSession(this.port);
		assertThat(user.login("bridge-user", "plain-user-password-1").statusCode()).isEqualTo(302);
		String userCsrf = user.csrfToken();
		assertThat(user.get("/api/bridges").statusCode()).isEqualTo(403);
		assertThat(user.json("POST", "/api/bridges", definition("by-user", "a/#", null), userCsrf).statusCode())
			.isEqualTo(403);
		assertThat(user.json("DELETE", "/api/bridges/configured", null, userCsrf).statusCode()).isEqualTo(403);
		assertThat(user.get("/admin/bridges").statusCode()).isEqualTo(403);
	}

}

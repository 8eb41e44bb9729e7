package com.mqtthub.admin;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's live state over the admin API, against the running application with real MQTT
 * clients: figures, the client list, kicking, retained messages, publishing over HTTP, and
 * who may see all this.
 */
@HubTest
class MonitoringApiIT {

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final ObjectMapper json = new ObjectMapper();

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	private WebSession admin;

	private String csrf;

	private String root;

	@BeforeEach
	void logIn() throws Exception {
		this.admin = new WebSession(this.port);
		assertThat(this.admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
		this.csrf = this.admin.csrfToken();
		this.root = "m" + UUID.randomUUID().toString().substring(0, 8);
	}

	private MqttTestClient mqtt(String clientId) throws Exception {
		return MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), clientId);
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = this.admin.get(path);
		assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

	/** The figures once a new snapshot has been taken after everything before this call. */
	private JsonNode settledMetrics() throws Exception {
		Thread.sleep(1100);
		return get("/api/metrics");
	}

	private JsonNode clients() throws Exception {
		return get("/api/clients?search=" + this.root);
	}

	private static List<String> clientIds(JsonNode clients) {
		List<String> ids = new ArrayList<>();
		clients.forEach((client) -> ids.add(client.path("clientId").asString()));
		return ids;
	}

	/** Polls {@code path} until {@code condition} holds (bounded), and answers the last answer. */
	private JsonNode await(String path, Predicate<JsonNode> condition) throws Exception {
		long deadline = System.nanoTime() + WAIT.toNanos();
		JsonNode last = get(path);
		while (!condition.test(last) && System.nanoTime() < deadline) {
			Thread.sleep(100);
			last = get(path);
		}
		assertThat(condition.test(last)).as("condition on " + path + ", last answer " + last).isTrue();
		return last;
	}

	@Test
	void figuresMoveWhenClientsConnectSubscribePublishAndDisconnect() throws Exception {
		JsonNode before = settledMetrics();
		int clientsBefore = before.path("clients").asInt();
		try (MqttTestClient subscriber = mqtt(this.root + "-sub"); MqttTestClient publisher = mqtt(this.root + "-pub")) {
			await("/api/metrics", (m) -> m.path("clients").asInt() == clientsBefore + 2
					&& m.path("connectionsTotal").asLong() >= before.path("connectionsTotal").asLong() + 2);
			int subscriptionsBefore = settledMetrics().path("subscriptions").asInt();
			subscriber.subscribe(this.root + "/#", 1);
			await("/api/metrics", (m) -> m.path("subscriptions").asInt() == subscriptionsBefore + 1);

			int count = 40;
			for (int i = 0; i < count; i++) {
				publisher.publish(this.root + "/x", "payload-" + i, 1, false);
			}
			subscriber.awaitMessages(count, WAIT);
			JsonNode after = await("/api/metrics",
					(m) -> m.path("messagesInTotal").asLong() >= before.path("messagesInTotal").asLong() + count
							&& m.path("messagesOutTotal").asLong() >= before.path("messagesOutTotal").asLong() + count);
			assertThat(after.path("bytesInTotal").asLong() - before.path("bytesInTotal").asLong())
				.isGreaterThanOrEqualTo(count * "payload-0".length());
			// The rate of some second during the burst is above zero.
			JsonNode history = get("/api/metrics/history");
			long peak = 0;
			for (JsonNode second : history) {
				peak = Math.max(peak, second.path("messagesInRate").asLong());
			}
			assertThat(peak).isPositive();

			JsonNode listed = clients();
			assertThat(clientIds(listed)).containsExactlyInAnyOrder(this.root + "-sub", this.root + "-pub");
			JsonNode sub = listed.get(0).path("clientId").asString().endsWith("-sub") ? listed.get(0) : listed.get(1);
			assertThat(sub.path("subscriptions").get(0).asString()).isEqualTo(this.root + "/#");
			assertThat(sub.path("username").asString()).isEqualTo(HubTest.ADMIN);
			assertThat(sub.path("remoteAddress").asString()).startsWith("127.0.0.1:");
			assertThat(sub.path("protocolVersion").asString()).isEqualTo("3.1.1");
			assertThat(sub.path("keepAliveSeconds").asInt()).isEqualTo(30);
			assertThat(sub.path("cleanSession").asBoolean()).isTrue();
			assertThat(sub.path("messagesOut").asLong()).isEqualTo(count);
		}
		await("/api/metrics", (m) -> m.path("clients").asInt() == clientsBefore);
		assertThat(clients()).isEmpty();
	}

	@Test
	void refusedConnectionsAreCounted() throws Exception {
		long before = settledMetrics().path("connectionsRefused").asLong();
		MqttTestClient refused = MqttTestClient.create("tcp://127.0.0.1:" + this.broker.getTcpPort(), this.root);
		try {
			refused.paho().connect(MqttTestClient.options(true, HubTest.ADMIN, "wrong-password"));
		}
		catch (Exception expected) {
			// refused
		}
		finally {
			refused.close();
		}
		await("/api/metrics", (m) -> m.path("connectionsRefused").asLong() == before + 1);
	}

	@Test
	void clientListFollowsTakeoversAndLostConnections() throws Exception {
		String id = this.root + "-same";
		MqttTestClient first = mqtt(id);
		long firstConnection = await("/api/clients?search=" + this.root, (c) -> c.size() == 1).get(0)
			.path("connection")
			.asLong();
		MqttTestClient second = mqtt(id);
		// The engine closes the first connection: exactly the new one is listed.
		JsonNode listed = await("/api/clients?search=" + this.root,
				(c) -> c.size() == 1 && c.get(0).path("connection").asLong() != firstConnection);
		assertThat(clientIds(listed)).containsExactly(id);
		first.close();

		MqttTestClient other = mqtt(this.root + "-other");
		await("/api/clients?search=" + this.root, (c) -> c.size() == 2);
		second.dropConnection();
		listed = await("/api/clients?search=" + this.root, (c) -> c.size() == 1);
		assertThat(clientIds(listed)).containsExactly(this.root + "-other");
		second.close();
		other.close();
		await("/api/clients?search=" + this.root, JsonNode::isEmpty);
	}

	@Test
	void kickingAClientDisconnectsIt() throws Exception {
		try (MqttTestClient victim = mqtt(this.root + "-victim")) {
			await("/api/clients?search=" + this.root, (c) -> c.size() == 1);
			HttpResponse<String> kicked = this.admin.json("DELETE", "/api/clients/" + this.root + "-victim", null,
					this.csrf);
			assertThat(kicked.statusCode()).isEqualTo(204);
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (victim.isConnected() && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(victim.isConnected()).isFalse();
			await("/api/clients?search=" + this.root, JsonNode::isEmpty);
		}
		assertThat(this.admin.json("DELETE", "/api/clients/" + this.root + "-nobody", null, this.csrf).statusCode())
			.isEqualTo(404);
		assertThat(this.admin.json("DELETE", "/api/clients/x", null, null).statusCode()).as("without CSRF token")
			.isEqualTo(403);
	}

	@Test
	void clientIdsWithSlashesPercentAndDotsCanBeKickedByQueryParameter() throws Exception {
		for (String suffix : List.of("/a/../b", "%2F%", "..", "a b/#+")) {
			String id = this.root + suffix;
			try (MqttTestClient victim = mqtt(id)) {
				await("/api/clients?search=" + this.root, (c) -> c.size() == 1);
				HttpResponse<String> kicked = this.admin.json("DELETE",
						"/api/clients?clientId=" + URLEncoder.encode(id, StandardCharsets.UTF_8), null, this.csrf);
				assertThat(kicked.statusCode()).as("kicking %s", id).isEqualTo(204);
				long deadline = System.nanoTime() + WAIT.toNanos();
				while (victim.isConnected() && System.nanoTime() < deadline) {
					Thread.sleep(50);
				}
				assertThat(victim.isConnected()).as("%s connected", id).isFalse();
				await("/api/clients?search=" + this.root, JsonNode::isEmpty);
			}
		}
		assertThat(this.admin.json("DELETE", "/api/clients?clientId=", null, this.csrf).statusCode()).isEqualTo(400);
		assertThat(this.admin.json("DELETE", "/api/clients?clientId=nobody-" + this.root, null, this.csrf).statusCode())
			.isEqualTo(404);
	}

	@Test
	void retainedMessagesArePagedByTopic() throws Exception {
		try (MqttTestClient publisher = mqtt(this.root + "-pager")) {
			for (int i = 0; i < 5; i++) {
				publisher.publish(this.root + "/page/" + i, "p" + i, 1, true);
			}
			await("/api/retained?filter=" + this.root + "/page/%23", (r) -> r.size() == 5);
			JsonNode first = get("/api/retained?filter=" + this.root + "/page/%23&limit=2");
			assertThat(clientTopics(first)).containsExactly(this.root + "/page/0", this.root + "/page/1");
			JsonNode second = get("/api/retained?filter=" + this.root + "/page/%23&limit=2&after="
					+ URLEncoder.encode(this.root + "/page/1", StandardCharsets.UTF_8));
			assertThat(clientTopics(second)).containsExactly(this.root + "/page/2", this.root + "/page/3");
			assertThat(this.admin.get("/api/retained?limit=0").statusCode()).isEqualTo(400);
			assertThat(this.admin.get("/api/retained?limit=1001").statusCode()).isEqualTo(400);
			for (int i = 0; i < 5; i++) {
				publisher.publish(this.root + "/page/" + i, "", 1, true);
			}
		}
	}

	@Test
	void retainedMessagesCanBeBrowsedAndDeletedOneByOneOrByFilter() throws Exception {
		try (MqttTestClient publisher = mqtt(this.root + "-pub")) {
			publisher.publish(this.root + "/a/1", "{\"v\":1}", 1, true);
			publisher.publish(this.root + "/a/2", "two", 1, true);
			publisher.publish(this.root + "/b/1", new byte[] { 0, 1, (byte) 0xff }, 1, true);
		}
		JsonNode all = await("/api/retained?filter=" + this.root + "/%23", (r) -> r.size() == 3);
		assertThat(all.get(0).path("topic").asString()).isEqualTo(this.root + "/a/1");
		assertThat(new String(Base64.getDecoder().decode(all.get(0).path("payload").asString()),
				StandardCharsets.UTF_8)).isEqualTo("{\"v\":1}");
		assertThat(Base64.getDecoder().decode(all.get(2).path("payload").asString()))
			.containsExactly(0, 1, (byte) 0xff);
		assertThat(get("/api/retained?filter=" + this.root + "/a/%2B")).hasSize(2);

		HttpResponse<String> one = this.admin.json("DELETE", "/api/retained?topic=" + this.root + "/a/2", null,
				this.csrf);
		assertThat(one.statusCode()).isEqualTo(200);
		assertThat(json.readTree(one.body()).path("deleted").asInt()).isEqualTo(1);
		assertThat(clientTopics(get("/api/retained?filter=" + this.root + "/%23")))
			.containsExactly(this.root + "/a/1", this.root + "/b/1");

		HttpResponse<String> matching = this.admin.json("DELETE", "/api/retained?filter=" + this.root + "/%23", null,
				this.csrf);
		assertThat(json.readTree(matching.body()).path("deleted").asInt()).isEqualTo(2);
		assertThat(get("/api/retained?filter=" + this.root + "/%23")).isEmpty();

		try (MqttTestClient late = mqtt(this.root + "-late")) {
			late.subscribe(this.root + "/#", 1);
			Thread.sleep(700);
			assertThat(late.drain()).as("retained messages after deleting them").isEmpty();
		}
		assertThat(this.admin.json("DELETE", "/api/retained?topic=" + this.root + "/%23", null, this.csrf)
			.statusCode()).as("a filter where a topic is expected").isEqualTo(400);
	}

	private static List<String> clientTopics(JsonNode retained) {
		List<String> topics = new ArrayList<>();
		retained.forEach((message) -> topics.add(message.path("topic").asString()));
		return topics;
	}

	@Test
	void httpPublishReachesAnMqttSubscriberAndTheTopicTree() throws Exception {
		try (MqttTestClient subscriber = mqtt(this.root + "-sub")) {
			subscriber.subscribe(this.root + "/#", 1);
			HttpResponse<String> published = this.admin.json("POST", "/api/publish",
					json.writeValueAsString(Map.of("topic", this.root + "/http", "payload", "from HTTP ✓", "qos", 1,
							"retain", false)),
					this.csrf);
			assertThat(published.statusCode()).as(published.body()).isEqualTo(202);
			MqttTestClient.Received received = subscriber.awaitMessage(WAIT);
			assertThat(received.topic()).isEqualTo(this.root + "/http");
			assertThat(received.payload()).isEqualTo("from HTTP ✓");
			assertThat(received.message().getQos()).isEqualTo(1);
		}
		JsonNode entry = null;
		for (JsonNode node : get("/api/topics").path("entries")) {
			if (node.path("topic").asString().equals(this.root + "/http")) {
				entry = node;
			}
		}
		assertThat(entry).as("topic tree entry " + this.root + "/http").isNotNull();
		assertThat(entry.path("count").asLong()).isEqualTo(1);

		HttpResponse<String> wildcard = this.admin.json("POST", "/api/publish",
				"{\"topic\":\"" + this.root + "/#\",\"payload\":\"x\"}", this.csrf);
		assertThat(wildcard.statusCode()).isEqualTo(400);
		assertThat(this.admin.json("POST", "/api/publish", "{\"topic\":\"a\",\"payload\":\"x\"}", null).statusCode())
			.as("without CSRF token")
			.isEqualTo(403);
	}

	@Test
	void onlyAdministratorsSeeTheLivePagesAndApis() throws Exception {
		String user = "u" + this.root;
		this.users.create(user, "user-password", Role.USER, true);
		WebSession session = new WebSession(this.port);
		assertThat(session.login(user, "user-password").statusCode()).isEqualTo(302);
		String userCsrf = session.csrfToken();
		for (String path : List.of("/admin/dashboard", "/admin/clients", "/admin/retained", "/admin/topics",
				"/admin/api", "/api/metrics", "/api/metrics/history", "/api/metrics/stream", "/api/clients",
				"/api/retained", "/api/topics", "/v3/api-docs", "/swagger-ui/index.html")) {
			assertThat(session.get(path).statusCode()).as(path).isEqualTo(403);
		}
		assertThat(session.json("POST", "/api/publish", "{\"topic\":\"a\",\"payload\":\"x\"}", userCsrf).statusCode())
			.isEqualTo(403);
		assertThat(session.json("DELETE", "/api/clients/x", null, userCsrf).statusCode()).isEqualTo(403);
		assertThat(session.json("DELETE", "/api/retained?filter=%23", null, userCsrf).statusCode()).isEqualTo(403);
		for (String path : List.of("/admin/dashboard", "/admin/clients", "/admin/retained", "/admin/topics",
				"/admin/api")) {
			assertThat(this.admin.get(path).statusCode()).as(path).isEqualTo(200);
		}
		assertThat(new WebSession(this.port).get("/api/metrics").statusCode()).as("not logged in").isEqualTo(401);
	}

	@Test
	void openApiDescribesTheApiAndItsPageLoadsNothingFromElsewhere() throws Exception {
		JsonNode api = get("/v3/api-docs");
		assertThat(api.path("paths").has("/api/publish")).isTrue();
		assertThat(api.path("paths").has("/api/clients")).isTrue();
		assertThat(api.path("paths").has("/api/retained")).isTrue();
		HttpResponse<String> page = this.admin.get("/swagger-ui/index.html");
		assertThat(page.statusCode()).isEqualTo(200);
		String config = this.admin.get("/v3/api-docs/swagger-config").body();
		assertThat(config).contains("\"validatorUrl\":\"none\"");
		assertThat(page.body() + config).doesNotContain("petstore").doesNotContain("https://");
	}

	@Test
	void actuatorReportsHealthAndPrometheusMetrics() throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		HttpResponse<String> health = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(json.readTree(health.body()).path("status").asString()).isEqualTo("UP");

		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((HubTest.ADMIN + ":" + HubTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> details = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/health"))
					.header("Authorization", basic)
					.build(),
				HttpResponse.BodyHandlers.ofString());
		JsonNode broker = json.readTree(details.body()).path("components").path("broker");
		assertThat(broker.path("status").asString()).as(details.body()).isEqualTo("UP");
		assertThat(broker.path("details").path("tcpPort").asInt()).isEqualTo(this.broker.getTcpPort());

		URI prometheus = URI.create("http://127.0.0.1:" + this.port + "/actuator/prometheus");
		assertThat(http.send(HttpRequest.newBuilder(prometheus).build(), HttpResponse.BodyHandlers.ofString())
			.statusCode()).as("without credentials").isEqualTo(401);
		try (MqttTestClient client = mqtt(this.root + "-prom")) {
			client.publish(this.root + "/p", "x", 0, false);
			HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(prometheus)
				.header("Authorization", basic)
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(metrics.statusCode()).isEqualTo(200);
			assertThat(metrics.body()).contains("mqtthub_clients_connected ")
				.contains("mqtthub_connections_total ")
				.contains("mqtthub_messages_received_total{qos=\"0\"}")
				.contains("mqtthub_messages_sent_total{qos=\"1\"}")
				.contains("mqtthub_payload_received_bytes_total ")
				.contains("mqtthub_subscriptions ")
				.contains("mqtthub_retained_messages ")
				.contains("mqtthub_messages_denied_total ")
				.contains("mqtthub_messages_dropped_total{reason=\"slow-client\"}")
				.contains("mqtthub_messages_dropped_total{reason=\"queue-full\"}")
				.contains("mqtthub_engine_answers_rewritten_total ");
		}
	}

}

package com.mqtthub.monitoring;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topic tree against real clients, with small caps: it holds exactly the topics that carried
 * messages (none merely subscribed to, none denied), keeps only the first payload bytes, and
 * evicts the least recently used topic beyond its cap.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.monitoring.topic-tree.max-topics=" + TopicTreeIT.MAX_TOPICS,
		"mqtthub.monitoring.topic-tree.max-payload-bytes=" + TopicTreeIT.MAX_PAYLOAD,
		// Deeper than the JSON writer's nesting limit, which the broker's defaults would refuse.
		"mqtthub.broker.max-topic-levels=1000", "mqtthub.broker.max-topic-length=4096" })
class TopicTreeIT {

	static final int MAX_TOPICS = 5;

	static final int MAX_PAYLOAD = 4;

	private static final Duration WAIT = Duration.ofSeconds(15);

	private static final ObjectMapper json = new ObjectMapper();

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void containsExactlyThePublishedTopicsWithinItsCaps() throws Exception {
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"tree-client")) {
			client.subscribe("never/published/#", 0);
			client.publish("home/kitchen/temp", "21.5 degrees", 1, false);
			client.publish("home/kitchen/temp", "22.0 degrees", 1, false);
			client.publish("home/hall", "on", 1, true);
			client.publish("office", "x", 1, false);
			List<String> topics = awaitTopics(admin, 3);
			assertThat(topics).containsExactly("home/hall", "home/kitchen/temp", "office");

			JsonNode answer = json.readTree(admin.get("/api/topics").body());
			JsonNode hall = answer.path("entries").get(0);
			assertThat(hall.path("topic").asString()).isEqualTo("home/hall");
			assertThat(hall.path("retained").asBoolean()).isTrue();
			JsonNode temp = answer.path("entries").get(1);
			assertThat(temp.path("topic").asString()).isEqualTo("home/kitchen/temp");
			assertThat(temp.path("count").asLong()).isEqualTo(2);
			assertThat(new String(Base64.getDecoder().decode(temp.path("payload").asString()), StandardCharsets.UTF_8))
				.isEqualTo("22.0");
			assertThat(temp.path("payloadSize").asInt()).isEqualTo(12);
			assertThat(temp.path("truncated").asBoolean()).isTrue();

			// Beyond the cap the least recently used topics go: home/kitchen/temp, then home/hall.
			client.publish("office", "y", 1, false);
			client.publish("n/1", "x", 1, false);
			client.publish("n/2", "x", 1, false);
			client.publish("n/3", "x", 1, false);
			client.publish("n/4", "x", 1, false);
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (!topics.contains("n/4") && System.nanoTime() < deadline) {
				Thread.sleep(100);
				topics = topics(admin);
			}
			assertThat(topics).containsExactly("n/1", "n/2", "n/3", "n/4", "office");
		}
		aTopicOfSixHundredLevelsIsListedAsOnePath(admin);
	}

	private static List<String> awaitTopics(WebSession admin, int count) throws Exception {
		long deadline = System.nanoTime() + WAIT.toNanos();
		List<String> topics = topics(admin);
		while (topics.size() < count && System.nanoTime() < deadline) {
			Thread.sleep(100);
			topics = topics(admin);
		}
		return topics;
	}

	private static List<String> topics(WebSession admin) throws Exception {
		List<String> topics = new ArrayList<>();
		json.readTree(admin.get("/api/topics").body()).path("entries").forEach((entry) -> topics.add(entry.path("topic").asString()));
		topics.sort(null);
		return topics;
	}

	/**
	 * Listed flat, a deep topic never reaches the JSON writer's nesting limit. As a nested tree,
	 * one 300 levels deep cut the answer short there and hid every topic after it.
	 */
	private void aTopicOfSixHundredLevelsIsListedAsOnePath(WebSession admin) throws Exception {
		String deep = "deep/" + "x/".repeat(599) + "end";
		String after = "z/after-deep";
		try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"deep-client")) {
			client.publish(deep, "bottom", 1, false);
			client.publish(after, "still listed", 1, false);
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			List<String> topics = topics(admin);
			while (!topics.contains(after) && System.nanoTime() < deadline) {
				Thread.sleep(100);
				topics = topics(admin);
			}
			assertThat(admin.get("/api/topics").statusCode()).isEqualTo(200);
			// The two newest and the three before them: nothing after the deep one is missing.
			assertThat(topics).containsExactly(deep, "n/2", "n/3", "n/4", after);
		}
	}

}

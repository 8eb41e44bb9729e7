package com.mqtthub.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mqtthub.acl.Access;
import com.mqtthub.acl.AclService;
import com.mqtthub.acl.Permission;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task that fails on one of the broker engine's session loops must not take the loop with it.
 * The failure is real: a filter {@value #LEVELS} levels deep, allowed by the user's rule, is
 * granted, and removing it overflows the stack in the engine's subscription tree. Sent from one
 * client id per session loop, it used to kill every loop, after which every CONNECT (the
 * administrator's too) went unanswered while health said UP. Now each attacker's connection is
 * closed, the loops keep serving, health stays UP, the failures are counted and logged in one
 * line each without the filter.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
// The limits on topic levels and length refuse such a filter at the door (SUBACK 0x80, see
// HostileSubscriptionsIT); raised to their maximum here, to show the guard behind them.
@TestPropertySource(properties = { "mqtthub.broker.max-topic-levels=32768", "mqtthub.broker.max-topic-length=65535" })
class EngineLoopFailureIT {

	private static final int LEVELS = 2000;

	private static final String PASSWORD = "deep filter 1234";

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@Autowired
	private AclService acl;

	@LocalServerPort
	private int webPort;

	@Test
	void aFailingEngineTaskClosesItsConnectionAndEveryLoopKeepsServing(CapturedOutput output) throws Exception {
		String root = "deep" + UUID.randomUUID().toString().substring(0, 8);
		String attacker = root + "-attacker";
		String user = root + "-user";
		this.users.create(attacker, PASSWORD, Role.USER, true);
		this.users.create(user, PASSWORD, Role.USER, true);
		this.acl.create(attacker, null, "users/%u/#", Access.BOTH, Permission.ALLOW, null);
		this.acl.create(user, null, root + "/#", Access.BOTH, Permission.ALLOW, null);
		StringBuilder deep = new StringBuilder("users/" + attacker);
		for (int i = 0; i < LEVELS; i++) {
			deep.append("/a");
		}
		String filter = deep.toString();
		int loops = Runtime.getRuntime().availableProcessors();

		try (Bystander bystander = Bystander.start(this.broker.getTcpPort(), user, PASSWORD, root + "/bystander",
				Duration.ofMillis(50))) {
			for (int loop = 0; loop < loops; loop++) {
				String clientId = clientIdOnLoop(root + "-attack", loop, loops);
				try (RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
					assertThat(client.connect(new RawMqttClient.Connect(clientId).credentials(attacker, PASSWORD)))
						.isZero();
					assertThat(client.subscribeAndAwait(1, filter, 1)).as("the deep filter is granted").containsExactly(1);
					client.unsubscribe(2, filter);
					assertThat(client.closedByServerWithin(Duration.ofSeconds(10)))
						.as("the connection whose task failed is closed")
						.isTrue();
				}
			}

			// Every loop still serves: a CONNECT, a subscription and a QoS 1 round trip on each.
			for (int loop = 0; loop < loops; loop++) {
				String clientId = clientIdOnLoop(root + "-after", loop, loops);
				try (RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
					assertThat(client.connect(new RawMqttClient.Connect(clientId).credentials(user, PASSWORD)))
						.as("CONNACK on loop " + loop)
						.isZero();
					String topic = root + "/loop" + loop;
					assertThat(client.subscribeAndAwait(1, topic, 1)).containsExactly(1);
					client.publish(topic, "still here", 1, false, 2, false);
					List<RawMqttClient.Packet> packets = new ArrayList<>();
					for (int i = 0; i < 2; i++) {
						packets.add(client.read());
					}
					assertThat(packets).anySatisfy((p) -> assertThat(p.type()).isEqualTo(RawMqttClient.PUBACK));
					assertThat(packets).anySatisfy((p) -> {
						assertThat(p.type()).isEqualTo(RawMqttClient.PUBLISH);
						assertThat(p.payload()).isEqualTo("still here");
					});
				}
			}
			try (RawMqttClient admin = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
				assertThat(admin.connect(new RawMqttClient.Connect(root + "-admin").credentials(HubTest.ADMIN,
						HubTest.ADMIN_PASSWORD)))
					.as("the administrator's CONNACK")
					.isZero();
			}

			Bystander.Report report = bystander.stop(Duration.ofSeconds(10));
			System.out.println("Bystander during the deep-filter attack: " + report);
			assertThat(report.unharmed()).as(report.toString()).isTrue();
		}

		HttpClient http = HttpClient.newHttpClient();
		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((HubTest.ADMIN + ":" + HubTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> health = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.webPort + "/actuator/health"))
					.header("Authorization", basic)
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
		JsonNode status = new ObjectMapper().readTree(health.body());
		assertThat(status.path("status").asString()).as(health.body()).isEqualTo("UP");
		assertThat(status.path("components").path("broker").path("status").asString()).isEqualTo("UP");
		assertThat(status.path("components").path("broker").path("details").path("engineTaskFailures").asLong())
			.isGreaterThanOrEqualTo(loops);

		String metrics = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.webPort + "/actuator/prometheus"))
				.header("Authorization", basic)
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		Matcher failures = Pattern.compile("(?m)^mqtthub_engine_task_failures_total (\\S+)$").matcher(metrics);
		assertThat(failures.find()).as("the failures are exported").isTrue();
		// At least one per attacker (its UNSUBSCRIBE; the clean-up after its connection closed may fail too).
		assertThat(Double.parseDouble(failures.group(1))).isGreaterThanOrEqualTo(loops);

		String log = output.getAll();
		for (int loop = 0; loop < loops; loop++) {
			assertThat(log).as("a failure reported on loop " + loop)
				.containsPattern("A broker engine task failed on Session Executor " + loop
						+ " .*StackOverflowError.*the loop keeps running");
		}
		assertThat(log).as("no part of the filter in the log").doesNotContain(filter.substring(0, 300));
		assertThat(log).doesNotContain("reached exception in processing command");
	}

	/**
	 * A client id that the engine handles on session loop {@code loop}: it picks the loop from
	 * the client id's hash, one loop per processor of this (the application's) JVM.
	 */
	private static String clientIdOnLoop(String prefix, int loop, int loops) {
		for (int i = 0; i < 100_000; i++) {
			String clientId = prefix + "-" + i;
			if (Math.abs(clientId.hashCode()) % loops == loop) {
				return clientId;
			}
		}
		throw new IllegalStateException("No client id found for session loop " + loop);
	}

}

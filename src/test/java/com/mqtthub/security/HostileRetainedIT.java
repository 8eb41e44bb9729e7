package com.mqtthub.security;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.acl.Access;
import com.mqtthub.acl.AclService;
import com.mqtthub.acl.Permission;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retained messages as a weapon: one user publishes {@value #FLOOD} retained messages of about
 * 1 MB (once enough to fill a 512 MB heap and close the store) while a bystander keeps
 * publishing and receiving. With the per-user limit at 20 MB (smaller than the default, so
 * the test stays short) the first 20 are kept; the rest are delivered to the live subscriber
 * but not kept, and counted as refusals. The heap does not grow by the flood, the retained API
 * pages still answer, another user still retains within its own quota, and after a restart the
 * broker still knows who owns what.
 */
@HubTest
@TestPropertySource(properties = "mqtthub.broker.retained.max-bytes-per-user=" + HostileRetainedIT.PER_USER_MB + "MB")
class HostileRetainedIT {

	static final int PER_USER_MB = 20;

	/** Retained messages the attacker publishes, one after the other. */
	private static final int FLOOD = 100;

	/** Under the default 1 MB packet limit with the header. */
	private static final int PAYLOAD = 1_000_000;

	private static final int KEPT = (int) (PER_USER_MB * 1024L * 1024 / PAYLOAD);

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final String PASSWORD = "retained flood 42";

	private static final ObjectMapper json = new ObjectMapper();

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@Autowired
	private AclService acl;

	@LocalServerPort
	private int webPort;

	@TempDir
	Path data;

	private static String name(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	private String uri() {
		return "tcp://127.0.0.1:" + this.broker.getTcpPort();
	}

	private String user(String prefix) {
		String user = name(prefix);
		this.users.create(user, PASSWORD, Role.USER, true);
		return user;
	}

	@Test
	void aFloodOfRetainedMessagesIsDeliveredButOnlyTheUsersQuotaIsKept() throws Exception {
		String root = name("hr");
		String attacker = user("attacker");
		String other = user("other");
		this.acl.create(null, Role.USER.name(), root + "/%u/#", Access.BOTH, Permission.ALLOW, null);
		WebSession admin = new WebSession(this.webPort);
		assertThat(admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
		long refusalsBefore = refusals("retained-bytes-per-user");
		long heapBefore = usedHeapAfterGc();

		Bystander.Report report;
		try (Bystander bystander = Bystander.start(this.broker.getTcpPort(), HubTest.ADMIN, HubTest.ADMIN_PASSWORD,
				root + "/bystander", Duration.ofMillis(50));
				CountingSubscriber live = new CountingSubscriber(uri(), root + "/" + attacker + "/#");
				MqttTestClient flooder = MqttTestClient.connect(uri(), name("flooder"),
						MqttTestClient.options(true, attacker, PASSWORD))) {
			long deadline = System.nanoTime() + WAIT.toNanos();
			for (int i = 0; i < FLOOD && System.nanoTime() < deadline; i++) {
				byte[] payload = new byte[PAYLOAD];
				Arrays.fill(payload, (byte) i);
				// QoS 1: each returns once the hub has acknowledged (and committed) it.
				flooder.publish(root + "/" + attacker + "/" + i, payload, 1, true);
			}
			live.awaitCount(FLOOD, WAIT);
			assertThat(live.count()).as("every message delivered live").isEqualTo(FLOOD);
			assertThat(flooder.isConnected()).as("the flooder is not cut off, only not retained").isTrue();
			report = bystander.stop(Duration.ofSeconds(5));
		}
		long heapAfter = usedHeapAfterGc();
		System.out.printf("Retained flood: %d x %d bytes, %d kept; heap after GC %d MB before, %d MB after; "
				+ "bystander %s%n", FLOOD, PAYLOAD, KEPT, heapBefore >> 20, heapAfter >> 20, report);
		assertThat(report.unharmed()).as(report.toString()).isTrue();
		assertThat(heapAfter - heapBefore).as("heap growth").isLessThan((long) FLOOD * PAYLOAD / 2);

		List<String> kept = pagedTopics(admin, root + "/" + attacker + "/#", 7);
		Set<String> expected = new HashSet<>();
		for (int i = 0; i < KEPT; i++) {
			expected.add(root + "/" + attacker + "/" + i);
		}
		assertThat(kept).as("the first messages, up to the quota").hasSize(KEPT).containsExactlyInAnyOrderElementsOf(expected);
		assertThat(kept).isSorted();
		assertThat(refusals("retained-bytes-per-user") - refusalsBefore).as("refusals counted")
			.isEqualTo(FLOOD - KEPT);
		JsonNode everything = get(admin, "/api/retained?filter=%23&limit=5");
		assertThat(everything.size()).as("a page of everything").isEqualTo(5);

		try (MqttTestClient late = MqttTestClient.connect(uri(), name("late"))) {
			late.subscribe(root + "/" + attacker + "/#", 1);
			List<MqttTestClient.Received> retained = late.awaitMessages(KEPT, WAIT);
			assertThat(retained).allSatisfy((message) -> assertThat(message.message().isRetained()).isTrue());
			Thread.sleep(500);
			assertThat(late.drain()).as("nothing beyond the quota is retained").isEmpty();
		}

		try (MqttTestClient flooder = MqttTestClient.connect(uri(), name("flooder"),
				MqttTestClient.options(true, attacker, PASSWORD));
				MqttTestClient second = MqttTestClient.connect(uri(), name("second"),
						MqttTestClient.options(true, other, PASSWORD))) {
			for (int i = 0; i < 3; i++) {
				second.publish(root + "/" + other + "/" + i, new byte[PAYLOAD], 1, true);
			}
			assertThat(pagedTopics(admin, root + "/" + other + "/#", 100)).as("another user's own quota")
				.hasSize(3);
			// A replacement no larger is never refused; a delete frees room for a new topic.
			byte[] replacement = new byte[PAYLOAD];
			Arrays.fill(replacement, (byte) 'r');
			flooder.publish(root + "/" + attacker + "/0", replacement, 1, true);
			flooder.publish(root + "/" + attacker + "/1", new byte[0], 1, true);
			flooder.publish(root + "/" + attacker + "/new", new byte[PAYLOAD], 1, true);
		}
		JsonNode first = get(admin, "/api/retained?filter="
				+ URLEncoder.encode(root + "/" + attacker + "/0", StandardCharsets.UTF_8) + "&limit=1");
		assertThat(Base64.getDecoder().decode(first.get(0).path("payload").asString())[0]).isEqualTo((byte) 'r');
		List<String> after = pagedTopics(admin, root + "/" + attacker + "/#", 50);
		assertThat(after).hasSize(KEPT).contains(root + "/" + attacker + "/new")
			.doesNotContain(root + "/" + attacker + "/1");
		assertThat(admin.json("DELETE", "/api/retained?filter=" + URLEncoder.encode(root + "/#", StandardCharsets.UTF_8),
				null, admin.csrfToken()).statusCode()).isEqualTo(200);
	}

	/**
	 * Who owns what survives a restart on the same data: a user at its quota is still at it
	 * afterwards, and a delete still frees room.
	 */
	@Test
	void theAccountOfRetainedMessagesSurvivesARestart() throws Exception {
		String topic = name("restart");
		try (ConfigurableApplicationContext first = start()) {
			EmbeddedBroker broker = first.getBean(EmbeddedBroker.class);
			try (MqttTestClient client = MqttTestClient.connect(uri(broker), name("r"), adminOptions())) {
				for (int i = 0; i < 5; i++) {
					client.publish(topic + "/" + i, new byte[PAYLOAD], 1, true);
				}
			}
			assertThat(broker.retainedTopics(topic + "/#")).hasSize(3);
		}
		try (ConfigurableApplicationContext second = start()) {
			EmbeddedBroker broker = second.getBean(EmbeddedBroker.class);
			assertThat(broker.retainedTopics(topic + "/#")).hasSize(3);
			try (MqttTestClient client = MqttTestClient.connect(uri(broker), name("r"), adminOptions())) {
				client.publish(topic + "/more", new byte[PAYLOAD], 1, true);
				assertThat(broker.retainedTopics(topic + "/#")).as("still at its quota").hasSize(3);
				client.publish(topic + "/0", new byte[0], 1, true);
				client.publish(topic + "/more", new byte[PAYLOAD], 1, true);
			}
			assertThat(broker.retainedTopics(topic + "/#")).containsExactly(topic + "/1", topic + "/2",
					topic + "/more");
		}
	}

	private ConfigurableApplicationContext start() {
		return SpringApplication.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=0",
				"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
				"--mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD,
				"--mqtthub.broker.retained.max-bytes-per-user=3MB");
	}

	private static String uri(EmbeddedBroker broker) {
		return "tcp://127.0.0.1:" + broker.getTcpPort();
	}

	private static org.eclipse.paho.client.mqttv3.MqttConnectOptions adminOptions() {
		return MqttTestClient.options(true, HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
	}

	/** Every retained topic under {@code filter}, read a page of {@code limit} at a time. */
	private static List<String> pagedTopics(WebSession admin, String filter, int limit) throws Exception {
		List<String> topics = new ArrayList<>();
		String after = null;
		for (int page = 0; page < 1000; page++) {
			String path = "/api/retained?filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8) + "&limit="
					+ limit + ((after != null) ? "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8) : "");
			JsonNode answer = get(admin, path);
			answer.forEach((message) -> topics.add(message.path("topic").asString()));
			if (answer.size() < limit) {
				break;
			}
			after = topics.get(topics.size() - 1);
		}
		return topics;
	}

	private static JsonNode get(WebSession admin, String path) throws Exception {
		HttpResponse<String> response = admin.get(path);
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return json.readTree(response.body());
	}

	/** {@code mqtthub_limit_refusals_total{limit="..."}} as Prometheus shows it to the administrator. */
	private long refusals(String limit) throws Exception {
		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((HubTest.ADMIN + ":" + HubTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> metrics = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.webPort + "/actuator/prometheus"))
				.header("Authorization", basic)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(metrics.statusCode()).isEqualTo(200);
		Matcher value = Pattern
			.compile("(?m)^mqtthub_limit_refusals_total\\{limit=\"" + limit + "\"\\} ([0-9.eE+]+)$")
			.matcher(metrics.body());
		assertThat(value.find()).as("the refusal counter of " + limit).isTrue();
		return (long) Double.parseDouble(value.group(1));
	}

	private static long usedHeapAfterGc() throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			System.gc();
			Thread.sleep(200);
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** Subscribes as the administrator and counts what arrives, keeping no payload. */
	private static final class CountingSubscriber implements AutoCloseable {

		private final MqttClient client;

		private final AtomicLong count = new AtomicLong();

		CountingSubscriber(String uri, String filter) throws Exception {
			this.client = new MqttClient(uri, name("live"), new MemoryPersistence());
			this.client.setCallback(new MqttCallback() {
				@Override
				public void connectionLost(Throwable cause) {
				}

				@Override
				public void messageArrived(String topic, MqttMessage message) {
					CountingSubscriber.this.count.incrementAndGet();
				}

				@Override
				public void deliveryComplete(IMqttDeliveryToken token) {
				}
			});
			this.client.connect(MqttTestClient.options(true));
			this.client.subscribe(filter, 1);
		}

		long count() {
			return this.count.get();
		}

		void awaitCount(long expected, Duration timeout) throws InterruptedException {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (this.count.get() < expected && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
		}

		@Override
		public void close() throws Exception {
			if (this.client.isConnected()) {
				this.client.disconnect(1000);
			}
			this.client.close(true);
		}

	}

}

package com.mqtthub.security;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.Limit;
import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.WebSession;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Subscriptions as a weapon, by an ordinary user whose rule {@code users/%u/#} lets it subscribe
 * to anything under its own prefix, with the default limits and a well-behaved client beside
 * it. A filter 2,000 levels deep was once granted, and removing it overflowed the stack in the
 * engine's subscription tree and killed a session loop for good (two of them and every later
 * CONNECT timed out); one client was granted 100,000 subscriptions in 2 s. Now such a filter
 * gets 0x80, subscriptions stop at the maximum per client, a PUBLISH to a topic too deep closes
 * its connection, and the log holds counts, never the filters.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class HostileSubscriptionsIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final int FAILURE = 0x80;

	private static final String PASSWORD = "hostile subscriber 7";

	/** Attackers with a deep filter: client ids spread over the engine's session loops. */
	private static final int DEEP_ATTACKERS = 4;

	/** Fresh clients that must be served after the attack, on every session loop. */
	private static final int LATECOMERS = 8;

	/** Text in every hostile filter, which must never reach the log. */
	private static final String MARKER = "HOSTILE-FILTER-TEXT";

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private MeterRegistry meters;

	@LocalServerPort
	private int webPort;

	private final ObjectMapper json = new ObjectMapper();

	private WebSession admin;

	private String csrf;

	private String user;

	@BeforeEach
	void createUserWithItsOwnPrefix() throws Exception {
		this.user = "s" + UUID.randomUUID().toString().substring(0, 8);
		this.admin = new WebSession(this.webPort);
		this.admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		this.csrf = this.admin.csrfToken();
		assertThat(this.admin.json("POST", "/api/users",
				"{\"username\":\"" + this.user + "\",\"password\":\"" + PASSWORD + "\",\"role\":\"USER\"}", this.csrf)
			.statusCode()).isEqualTo(201);
		assertThat(this.admin.json("POST", "/api/acl/rules", "{\"username\":\"" + this.user
				+ "\",\"topic\":\"users/%u/#\",\"access\":\"both\",\"permission\":\"allow\"}", this.csrf)
			.statusCode()).isEqualTo(201);
	}

	private String prefix() {
		return "users/" + this.user + "/";
	}

	/** A filter under the user's prefix, {@code levels} levels deep in all. */
	private String deepFilter(int levels) {
		StringBuilder filter = new StringBuilder(prefix()).append(MARKER);
		for (int i = 3; i < levels; i++) {
			filter.append("/a");
		}
		return filter.toString();
	}

	private RawMqttClient connect(String clientId) throws IOException {
		RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
		int code = client.connect(new RawMqttClient.Connect(clientId).credentials(this.user, PASSWORD));
		assertThat(code).as("CONNACK of " + clientId).isZero();
		return client;
	}

	private Bystander bystander() throws Exception {
		return Bystander.start(this.broker.getTcpPort(), this.user, PASSWORD, prefix() + "bystander",
				Duration.ofMillis(100));
	}

	/** One SUBSCRIBE with all these filters at QoS 1; the return codes of its SUBACK. */
	private static byte[] subscribe(RawMqttClient client, int packetId, List<String> filters) throws IOException {
		RawMqttClient.Body body = new RawMqttClient.Body().u16(packetId);
		for (String filter : filters) {
			body.string(filter).u8(1);
		}
		client.send(RawMqttClient.SUBSCRIBE, 0x02, body.bytes());
		RawMqttClient.Packet subAck = client.readSkipping(RawMqttClient.PUBLISH);
		assertThat(subAck.type()).as("SUBACK").isEqualTo(RawMqttClient.SUBACK);
		assertThat(subAck.u16(0)).isEqualTo(packetId);
		byte[] codes = new byte[subAck.body().length - 2];
		System.arraycopy(subAck.body(), 2, codes, 0, codes.length);
		return codes;
	}

	private long refusals(Limit limit) {
		return this.broker.getLimits().refusals(limit);
	}

	private double exported(Limit limit) {
		return this.meters.get("mqtthub.limit.refusals").tag("limit", limit.tag()).functionCounter().count();
	}

	@Test
	void aFilterThousandsOfLevelsDeepIsRefusedAndEveryoneIsStillServed(CapturedOutput output) throws Exception {
		long refusedBefore = refusals(Limit.TOPIC_LEVELS) + refusals(Limit.TOPIC_LENGTH);
		String deep = deepFilter(2000);
		List<Integer> codes = new ArrayList<>();
		List<String> unsubscribed = new ArrayList<>();
		try (Bystander bystander = bystander()) {
			for (int i = 0; i < DEEP_ATTACKERS; i++) {
				try (RawMqttClient attacker = connect("deep-" + i + "-" + this.user)) {
					codes.add(subscribe(attacker, 1, List.of(deep))[0] & 0xFF);
					attacker.unsubscribe(2, deep);
					RawMqttClient.Packet unsubAck = attacker.poll(WAIT);
					unsubscribed.add((unsubAck != null) ? "UNSUBACK " + unsubAck.type() : "no UNSUBACK");
					attacker.disconnect();
				}
			}
			// Fresh client ids land on every session loop: each must connect, subscribe and receive.
			for (int i = 0; i < LATECOMERS; i++) {
				try (RawMqttClient late = connect("late-" + i + "-" + this.user)) {
					String topic = prefix() + "late/" + i;
					assertThat(subscribe(late, 1, List.of(topic))).containsExactly(1);
					late.publish(topic, "hello " + i, 0, false, 0, false);
					assertThat(late.read().payload()).isEqualTo("hello " + i);
					late.disconnect();
				}
			}
			Bystander.Report report = bystander.stop(WAIT);
			System.out.println("Bystander during deep filters: " + report);
			assertThat(report.unharmed()).as(report.toString()).isTrue();
		}
		assertThat(output.getAll()).doesNotContain("StackOverflowError").doesNotContain(MARKER);
		assertThat(codes).containsOnly(FAILURE).hasSize(DEEP_ATTACKERS);
		assertThat(unsubscribed).containsOnly("UNSUBACK " + RawMqttClient.UNSUBACK);
		assertThat(refusals(Limit.TOPIC_LEVELS) + refusals(Limit.TOPIC_LENGTH) - refusedBefore)
			.isEqualTo(DEEP_ATTACKERS);
	}

	@Test
	void theLevelBoundIsExactAndCountedAsSuch() throws Exception {
		long before = refusals(Limit.TOPIC_LEVELS);
		try (RawMqttClient client = connect("levels-" + this.user)) {
			// 128 levels are fine, 129 are not; both far under the length bound.
			assertThat(subscribe(client, 1, List.of(deepFilter(128), deepFilter(129)))).containsExactly(1, FAILURE);
		}
		assertThat(refusals(Limit.TOPIC_LEVELS) - before).isEqualTo(1);
		assertThat(exported(Limit.TOPIC_LEVELS)).isEqualTo(refusals(Limit.TOPIC_LEVELS));
	}

	@Test
	void subscriptionsStopAtTheMaximumPerClient() throws Exception {
		int perPacket = this.broker.getProperties().getMaxFiltersPerSubscribe();
		int perClient = this.broker.getProperties().getMaxSubscriptionsPerClient();
		long perPacketBefore = refusals(Limit.FILTERS_PER_SUBSCRIBE);
		long perClientBefore = refusals(Limit.SUBSCRIPTIONS_PER_CLIENT);
		String clientId = "many-" + this.user;
		int next = 0;
		try (Bystander bystander = bystander(); RawMqttClient attacker = connect(clientId)) {
			// Half again as many filters as one SUBSCRIBE may carry: the excess is refused.
			List<String> first = new ArrayList<>();
			for (int i = 0; i < perPacket * 3 / 2; i++) {
				first.add(prefix() + "many/" + next++);
			}
			byte[] firstCodes = subscribe(attacker, 1, first);
			for (int i = 0; i < first.size(); i++) {
				assertThat(firstCodes[i] & 0xFF).as("filter " + i).isEqualTo((i < perPacket) ? 1 : FAILURE);
			}
			next = perPacket;
			// Full packets up to the maximum per client: all granted.
			int packetId = 2;
			while (next < perClient) {
				List<String> filters = new ArrayList<>();
				for (int i = 0; i < perPacket && next < perClient; i++) {
					filters.add(prefix() + "many/" + next++);
				}
				assertThat(subscribe(attacker, packetId++, filters)).containsOnly(1);
			}
			// At the maximum: re-subscribing to a filter held is granted, every new one refused.
			List<String> beyond = new ArrayList<>(List.of(prefix() + "many/0"));
			for (int i = 1; i < perPacket; i++) {
				beyond.add(prefix() + "beyond/" + i);
			}
			byte[] beyondCodes = subscribe(attacker, packetId++, beyond);
			assertThat(beyondCodes[0]).isEqualTo((byte) 1);
			for (int i = 1; i < beyondCodes.length; i++) {
				assertThat(beyondCodes[i] & 0xFF).as("new filter " + i).isEqualTo(FAILURE);
			}
			// The engine granted the others for real: a message on one of them arrives.
			attacker.publish(prefix() + "many/7", "still subscribed", 0, false, 0, false);
			assertThat(attacker.read().payload()).isEqualTo("still subscribed");

			assertThat(subscriptionsListed(clientId)).isEqualTo(perClient);
			Bystander.Report report = bystander.stop(WAIT);
			System.out.println("Bystander during " + perClient + " subscriptions: " + report);
			assertThat(report.unharmed()).as(report.toString()).isTrue();
		}
		assertThat(refusals(Limit.FILTERS_PER_SUBSCRIBE) - perPacketBefore).isEqualTo(perPacket / 2);
		assertThat(refusals(Limit.SUBSCRIPTIONS_PER_CLIENT) - perClientBefore).isEqualTo(perPacket - 1);
		assertThat(exported(Limit.SUBSCRIPTIONS_PER_CLIENT)).isEqualTo(refusals(Limit.SUBSCRIPTIONS_PER_CLIENT));
		assertThat(exported(Limit.FILTERS_PER_SUBSCRIBE)).isEqualTo(refusals(Limit.FILTERS_PER_SUBSCRIBE));
	}

	/** The subscriptions the client list shows for a client id. */
	private int subscriptionsListed(String clientId) throws Exception {
		HttpResponse<String> clients = this.admin.json("GET", "/api/clients?search=" + clientId, null, null);
		assertThat(clients.statusCode()).isEqualTo(200);
		for (JsonNode client : this.json.readTree(clients.body())) {
			if (clientId.equals(client.path("clientId").asString())) {
				return client.path("subscriptions").size();
			}
		}
		throw new AssertionError("Client " + clientId + " is not listed: " + clients.body());
	}

	@Test
	void aPublishOrWillTopicTooDeepEndsTheConnection() throws Exception {
		long before = refusals(Limit.TOPIC_LEVELS);
		try (RawMqttClient publisher = connect("deep-publisher-" + this.user)) {
			publisher.publish(deepFilter(200), "x", 1, false, 1, false);
			assertThat(publisher.closedByServerWithin(WAIT)).isTrue();
		}
		try (RawMqttClient withWill = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			int code = withWill.connect(new RawMqttClient.Connect("deep-will-" + this.user)
				.credentials(this.user, PASSWORD)
				.will(deepFilter(200), "gone", 0, false));
			assertThat(code).as("CONNACK for a will topic too deep").isEqualTo(5);
		}
		assertThat(refusals(Limit.TOPIC_LEVELS) - before).isEqualTo(2);
		// Everyone else is still served.
		try (RawMqttClient other = connect("after-deep-publish-" + this.user)) {
			assertThat(subscribe(other, 1, List.of(prefix() + "ok"))).containsExactly(1);
		}
	}

	@Test
	void refusalsAreLoggedAsRateLimitedCountsNeverAsFilters(CapturedOutput output) throws Exception {
		int packets = 40;
		long start = System.nanoTime();
		try (RawMqttClient attacker = connect("loud-" + this.user)) {
			for (int i = 1; i <= packets; i++) {
				// A line break in a filter would forge a log line if it were logged as sent.
				String forging = prefix() + "x\n2026-01-01 ERROR forged " + MARKER + "/" + deepFilter(300);
				assertThat(subscribe(attacker, i, List.of(forging, deepFilter(200)))).containsExactly(FAILURE, FAILURE);
			}
		}
		long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
		String log = output.getAll();
		assertThat(log).doesNotContain(MARKER).doesNotContain("forged");
		List<String> summaries = log.lines()
			.filter((line) -> line.contains("topic filters in a SUBSCRIBE") && line.contains("loud-" + this.user))
			.toList();
		System.out.println(summaries.size() + " summary lines for " + packets + " SUBSCRIBEs in " + seconds + " s");
		// One line at most every 5 s per connection.
		assertThat(summaries).isNotEmpty().hasSizeLessThanOrEqualTo(1 + (int) (seconds / 5) + 1);
		assertThat(summaries.get(0)).contains("Refused 2 of 2").contains("mqtthub.broker.max-topic");
	}

}

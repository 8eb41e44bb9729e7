package com.mqtthub.acl;

import java.time.Duration;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Topic rules as the broker enforces them on real clients: SUBACK failure for a denied filter,
 * and a denied PUBLISH reaching nobody.
 */
@HubTest
class TopicRulesIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Duration QUIET = Duration.ofMillis(700);

	private static final int SUBACK_FAILURE = 0x80;

	private static final String PASSWORD = "rules-password";

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@Autowired
	private AclService acl;

	@Autowired
	private BrokerAuthorizer authorizer;

	@Autowired
	private io.micrometer.core.instrument.MeterRegistry meters;

	private String user;

	private String root;

	@BeforeEach
	void createUser() {
		this.user = "u" + UUID.randomUUID().toString().substring(0, 8);
		this.root = "t" + UUID.randomUUID().toString().substring(0, 8);
		this.users.create(this.user, PASSWORD, Role.USER, true);
	}

	private MqttTestClient connect(String username, String clientId) throws MqttException {
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		return (username == null) ? MqttTestClient.connect(uri, clientId)
				: MqttTestClient.connect(uri, clientId, MqttTestClient.options(true, username, PASSWORD));
	}

	private static int granted(MqttTestClient client, String filter) {
		try {
			return client.paho().subscribeWithResponse(new String[] { filter }, new int[] { 1 }).getGrantedQos()[0];
		}
		catch (MqttException ex) {
			if (ex.getReasonCode() == MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
				return SUBACK_FAILURE;
			}
			throw new AssertionError(ex);
		}
	}

	@Test
	void userWithoutRulesMaySubscribeToNothing() throws Exception {
		try (MqttTestClient client = connect(this.user, "c-" + this.user)) {
			assertThat(granted(client, this.root + "/anything")).isEqualTo(SUBACK_FAILURE);
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void userRuleWithUserNameSubstitutionAllowsOnlyTheirOwnTree() throws Exception {
		this.acl.create(this.user, null, this.root + "/%u/#", Access.BOTH, Permission.ALLOW, null);
		try (MqttTestClient client = connect(this.user, "c-" + this.user)) {
			assertThat(granted(client, this.root + "/" + this.user + "/#")).isEqualTo(1);
			assertThat(granted(client, this.root + "/" + this.user + "/temp")).isEqualTo(1);
			assertThat(granted(client, this.root + "/someone-else/#")).isEqualTo(SUBACK_FAILURE);
			// A wider filter is granted, as some topics under it are allowed; each message is checked.
			assertThat(granted(client, this.root + "/#")).isEqualTo(1);
			try (MqttTestClient admin = connect(null, "p-" + this.user)) {
				admin.publish(this.root + "/someone-else/x", "not for you", 1, false);
				admin.publish(this.root + "/" + this.user + "/x", "yours", 1, false);
			}
			assertThat(client.awaitMessage(WAIT).payload()).isEqualTo("yours");
			Thread.sleep(QUIET.toMillis());
			assertThat(client.drain()).isEmpty();
		}
	}

	@Test
	void clientIdSubstitutionTiesTopicsToTheDevice() throws Exception {
		this.acl.create(this.user, null, this.root + "/devices/%c/#", Access.SUBSCRIBE, Permission.ALLOW, null);
		String clientId = "dev-" + this.user;
		try (MqttTestClient client = connect(this.user, clientId)) {
			assertThat(granted(client, this.root + "/devices/" + clientId + "/cmd")).isEqualTo(1);
			assertThat(granted(client, this.root + "/devices/other-device/cmd")).isEqualTo(SUBACK_FAILURE);
		}
	}

	@Test
	void willOnATopicTheUserMayNotPublishToIsRefusedAtConnect() throws Exception {
		this.acl.create(this.user, null, this.root + "/%u/#", Access.BOTH, Permission.ALLOW, null);
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		MqttConnectOptions forbidden = MqttTestClient.options(true, this.user, PASSWORD);
		forbidden.setWill(this.root + "/someone-else/status", "gone".getBytes(), 1, false);
		try (MqttTestClient client = MqttTestClient.create(uri, "w-" + this.user)) {
			assertThatThrownBy(() -> client.paho().connect(forbidden))
				.isInstanceOfSatisfying(MqttException.class, (ex) -> assertThat(ex.getReasonCode())
					.isEqualTo(MqttException.REASON_CODE_NOT_AUTHORIZED));
		}
		MqttConnectOptions allowed = MqttTestClient.options(true, this.user, PASSWORD);
		allowed.setWill(this.root + "/" + this.user + "/status", "gone".getBytes(), 1, false);
		try (MqttTestClient client = MqttTestClient.connect(uri, "w2-" + this.user, allowed)) {
			assertThat(client.isConnected()).isTrue();
		}
	}

	/**
	 * Publishes what the rules deny: the broker drops it and closes the connection (MQTT-3.3.5-2
	 * allows that instead of an acknowledgement).
	 */
	private static void publishDenied(MqttTestClient client, String topic, int qos) {
		try {
			client.publish(topic, "must not arrive", qos, false);
		}
		catch (MqttException ex) {
			// QoS 1 and 2: the connection closes before the acknowledgement.
		}
		await().atMost(WAIT).until(() -> !client.isConnected());
	}

	@Test
	void deniedPublishReachesNoOneAndIsCounted() throws Exception {
		this.acl.create(this.user, null, this.root + "/open/#", Access.PUBLISH, Permission.ALLOW, null);
		long deniedBefore = this.authorizer.deniedPublishes();
		try (MqttTestClient watcher = connect(null, "watch-" + this.user)) {
			watcher.subscribe(this.root + "/#", 1);
			try (MqttTestClient client = connect(this.user, "c-" + this.user)) {
				publishDenied(client, this.root + "/closed/x", 1);
			}
			try (MqttTestClient client = connect(this.user, "c0-" + this.user)) {
				publishDenied(client, this.root + "/closed/y", 0);
			}
			try (MqttTestClient client = connect(this.user, "c-" + this.user)) {
				client.publish(this.root + "/open/x", "allowed", 1, false);
			}

			assertThat(watcher.awaitMessage(WAIT).payload()).isEqualTo("allowed");
			Thread.sleep(QUIET.toMillis());
			assertThat(watcher.drain()).isEmpty();
		}
		assertThat(this.authorizer.deniedPublishes()).isEqualTo(deniedBefore + 2);
	}

	@Test
	void firstMatchingRuleWinsAndDenyRulesWithholdTheirTopicsFromWideSubscriptions() throws Exception {
		this.acl.create(this.user, null, this.root + "/secret/#", Access.BOTH, Permission.DENY, null);
		this.acl.create(this.user, null, this.root + "/#", Access.BOTH, Permission.ALLOW, null);
		long withheldBefore = deliveriesDenied();
		try (MqttTestClient watcher = connect(null, "watch-" + this.user);
				MqttTestClient client = connect(this.user, "c-" + this.user)) {
			assertThat(granted(client, this.root + "/public")).isEqualTo(1);
			// A deny rule that covers the whole filter refuses it.
			assertThat(granted(client, this.root + "/secret/x")).isEqualTo(SUBACK_FAILURE);
			assertThat(granted(client, this.root + "/secret/#")).isEqualTo(SUBACK_FAILURE);
			// One that covers only part of it does not: the denied topics are withheld one by one.
			assertThat(granted(client, this.root + "/#")).isEqualTo(1);
			try (MqttTestClient admin = connect(null, "p-" + this.user)) {
				admin.publish(this.root + "/secret/x", "secret", 1, false);
				admin.publish(this.root + "/secret/x", "retained secret", 1, true);
				admin.publish(this.root + "/open", "open", 1, false);
			}
			assertThat(client.awaitMessage(WAIT).payload()).isEqualTo("open");
			Thread.sleep(QUIET.toMillis());
			assertThat(client.drain()).isEmpty();
			assertThat(deliveriesDenied()).isGreaterThanOrEqualTo(withheldBefore + 2);
			// Nor does a new subscription get the retained message of a denied topic.
			try (MqttTestClient late = connect(this.user, "late-" + this.user)) {
				assertThat(granted(late, "+/+/+")).isEqualTo(1);
				assertThat(granted(late, this.root + "/#")).isEqualTo(1);
				Thread.sleep(QUIET.toMillis());
				assertThat(late.drain()).isEmpty();
			}

			watcher.subscribe(this.root + "/#", 1);
			// An administrator may read it all, the retained secret included.
			assertThat(watcher.awaitMessage(WAIT).payload()).isEqualTo("retained secret");
			client.publish(this.root + "/public", "allowed", 1, false);
			publishDenied(client, this.root + "/secret/x", 1);
			assertThat(watcher.awaitMessage(WAIT).topic()).isEqualTo(this.root + "/public");
			Thread.sleep(QUIET.toMillis());
			assertThat(watcher.drain()).isEmpty();
		}
	}

	@Test
	void deletingTheRuleThatAllowedASubscriptionStopsItsDeliveries() throws Exception {
		AclRule rule = this.acl.create(this.user, null, this.root + "/#", Access.SUBSCRIBE, Permission.ALLOW, null);
		try (MqttTestClient client = connect(this.user, "c-" + this.user);
				MqttTestClient admin = connect(null, "p-" + this.user)) {
			assertThat(granted(client, this.root + "/#")).isEqualTo(1);
			admin.publish(this.root + "/a", "before", 1, false);
			assertThat(client.awaitMessage(WAIT).payload()).isEqualTo("before");

			this.acl.delete(rule.id());
			admin.publish(this.root + "/a", "after", 1, false);
			Thread.sleep(QUIET.toMillis());
			assertThat(client.drain()).isEmpty();
			assertThat(client.isConnected()).isTrue();
		}
	}

	@Test
	void deletingTheRuleThatAllowedPublishingStopsTheNextPublish() throws Exception {
		AclRule rule = this.acl.create(this.user, null, this.root + "/out/#", Access.PUBLISH, Permission.ALLOW, null);
		try (MqttTestClient client = connect(this.user, "p-" + this.user);
				MqttTestClient watcher = connect(null, "w-" + this.user)) {
			watcher.subscribe(this.root + "/#", 1);
			// Twice, so that the second is answered from whatever the hub remembers of the first.
			client.publish(this.root + "/out/a", "first", 1, false);
			client.publish(this.root + "/out/a", "second", 1, false);
			assertThat(watcher.awaitMessages(2, WAIT)).extracting(MqttTestClient.Received::payload)
				.containsExactly("first", "second");

			this.acl.delete(rule.id());
			publishDenied(client, this.root + "/out/a", 1);
			Thread.sleep(QUIET.toMillis());
			assertThat(watcher.drain()).isEmpty();
		}
	}

	@Test
	void disablingAUserStopsDeliveriesToTheSessionsItLeftBehind() throws Exception {
		this.acl.create(this.user, null, this.root + "/#", Access.SUBSCRIBE, Permission.ALLOW, null);
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		String clientId = "kept-" + this.user;
		try (MqttTestClient client = MqttTestClient.connect(uri, clientId,
				MqttTestClient.options(false, this.user, PASSWORD))) {
			client.subscribe(this.root + "/#", 1);
		}
		this.users.update(this.user, Role.USER, false);
		try (MqttTestClient admin = connect(null, "p-" + this.user)) {
			admin.publish(this.root + "/a", "while disabled", 1, false);
		}
		this.users.update(this.user, Role.USER, true);
		try (MqttTestClient admin = connect(null, "p2-" + this.user)) {
			admin.publish(this.root + "/a", "enabled again", 1, false);
		}
		try (MqttTestClient client = MqttTestClient.connect(uri, clientId,
				MqttTestClient.options(false, this.user, PASSWORD))) {
			assertThat(client.awaitMessage(WAIT).payload()).isEqualTo("enabled again");
			Thread.sleep(QUIET.toMillis());
			assertThat(client.drain()).isEmpty();
		}
	}

	private long deliveriesDenied() {
		io.micrometer.core.instrument.FunctionCounter counter = this.meters.find("mqtthub.deliveries.denied")
			.functionCounter();
		return (counter != null) ? (long) counter.count() : 0;
	}

	@Test
	void roleRulesApplyAfterTheUsersOwn() throws Exception {
		this.acl.create(null, Role.USER.name(), this.root + "/shared/#", Access.SUBSCRIBE, Permission.ALLOW, null);
		this.acl.create(this.user, null, this.root + "/shared/private", Access.SUBSCRIBE, Permission.DENY, null);
		try (MqttTestClient client = connect(this.user, "c-" + this.user)) {
			assertThat(granted(client, this.root + "/shared/news")).isEqualTo(1);
			assertThat(granted(client, this.root + "/shared/private")).isEqualTo(SUBACK_FAILURE);
		}
	}

	@Test
	void adminIsAllowedByDefaultUnlessARuleDenies() throws Exception {
		try (MqttTestClient admin = connect(null, "admin-" + this.user)) {
			assertThat(granted(admin, this.root + "/#")).isEqualTo(1);
		}
		AccessDecision decision = this.acl.decide(HubTest.ADMIN, "x", this.root + "/a", Action.PUBLISH);
		assertThat(decision.allowed()).isTrue();
		assertThat(decision.reason()).contains("default for administrators");
	}

	@Test
	void disabledUserLosesEveryTopic() {
		this.acl.create(this.user, null, "#", Access.BOTH, Permission.ALLOW, null);
		assertThat(this.acl.decide(this.user, "c", "a/b", Action.PUBLISH).allowed()).isTrue();
		this.users.update(this.user, Role.USER, false);
		assertThat(this.acl.decide(this.user, "c", "a/b", Action.PUBLISH).allowed()).isFalse();
	}

}

package com.mqtthub.security;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.mqtthub.acl.Access;
import com.mqtthub.acl.AclService;
import com.mqtthub.acl.Permission;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client cannot write a line of its own into the hub's log: every string it controls (topic,
 * filter, client id, user name, will topic), before and after authentication, is written escaped,
 * so a line break in it never starts a new log line.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class LogInjectionIT {

	private static final String PASSWORD = "log-injection-secret";

	/** What a forged line would start with, were a line break written raw. */
	private static final String FORGED = "FORGED-LINE";

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private UserService users;

	@Autowired
	private AclService acl;

	private RawMqttClient raw() throws Exception {
		return new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
	}

	private static String forged(String what) {
		return "x\n" + FORGED + " 2026-01-01 ERROR " + what + "\r" + FORGED + " cr";
	}

	@Test
	void clientStringsWithLineBreaksNeverStartALogLine(CapturedOutput output) throws Exception {
		String user = "writer-" + UUID.randomUUID().toString().substring(0, 8);
		this.users.create(user, PASSWORD, Role.USER, true);
		this.acl.create(user, null, "open/%u/#", Access.BOTH, Permission.ALLOW, null);

		// Before any authentication: a PUBLISH instead of CONNECT, its topic holding a line break.
		try (RawMqttClient client = raw()) {
			client.publish(forged("publish before connect"), "p", 0, false, 0, false);
			assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
		}
		// The same with a wildcard in the topic, which the packet decoder refuses with an error
		// message that quotes the topic: that message was once logged as it was.
		try (RawMqttClient client = raw()) {
			client.publish(forged("malformed publish before connect") + "/+", "p", 0, false, 0, false);
			assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
		}
		// Refused CONNECTs: unknown user, and a client id and will topic with line breaks.
		try (RawMqttClient client = raw()) {
			int code = client.connect(new Connect(forged("client id")).credentials(forged("user name"), "wrong"));
			assertThat(code).isIn(4, 5);
		}
		try (RawMqttClient client = raw()) {
			int code = client.connect(new Connect("will-" + user).credentials(user, PASSWORD)
				.will(forged("will topic"), "w", 0, false));
			assertThat(code).as("a will topic the user may not publish to").isEqualTo(5);
		}
		// Accepted, then denied: a SUBSCRIBE and a PUBLISH outside the user's rules.
		try (RawMqttClient client = raw()) {
			assertThat(client.connect(new Connect(forged("connected client id")).credentials(user, PASSWORD)))
				.isZero();
			byte[] subAck = client.subscribeAndAwait(1, forged("denied filter"), 1);
			assertThat(subAck[subAck.length - 1] & 0xFF).isEqualTo(0x80);
			client.publish(forged("denied topic"), "p", 1, false, 2, false);
			assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).as("a denied PUBLISH closes").isTrue();
		}
		// Accepted, then a PUBLISH whose topic the decoder refuses (a wildcard), quoting it.
		try (RawMqttClient client = raw()) {
			assertThat(client.connect(new Connect("malformed-" + user).credentials(user, PASSWORD))).isZero();
			client.publish("open/" + user + "/" + forged("malformed publish") + "/#", "p", 0, false, 0, false);
			assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).as("a malformed PUBLISH closes").isTrue();
		}

		// The log did hear of these clients ...
		assertThat(output.getAll()).contains(FORGED);
		// ... but never on a line of their own.
		List<String> forgedLines = Arrays.stream(output.getAll().split("\\R"))
			.filter((line) -> line.startsWith(FORGED))
			.toList();
		assertThat(forgedLines).isEmpty();
	}

	/** One SUBSCRIBE full of filters the topic rules deny writes one line of counts, not one per filter. */
	@Test
	void aSubscribeOfManyDeniedFiltersWritesOneLine(CapturedOutput output) throws Exception {
		String user = "flooder-" + UUID.randomUUID().toString().substring(0, 8);
		String clientId = "flood-" + UUID.randomUUID().toString().substring(0, 8);
		this.users.create(user, PASSWORD, Role.USER, true);
		int filters = 60;
		try (RawMqttClient client = raw()) {
			assertThat(client.connect(new Connect(clientId).credentials(user, PASSWORD))).isZero();
			RawMqttClient.Body body = new RawMqttClient.Body().u16(7);
			for (int i = 0; i < filters; i++) {
				body.string("denied/" + i + "/#").u8(1);
			}
			client.send(RawMqttClient.SUBSCRIBE, 0x02, body.bytes());
			RawMqttClient.Packet subAck = client.readSkipping(RawMqttClient.PUBLISH);
			assertThat(subAck.type()).isEqualTo(RawMqttClient.SUBACK);
			assertThat(subAck.body()).hasSize(2 + filters);
			for (int i = 2; i < subAck.body().length; i++) {
				assertThat(subAck.body()[i] & 0xFF).isEqualTo(0x80);
			}
		}
		List<String> lines = Arrays.stream(output.getAll().split("\\R")).filter((line) -> line.contains(clientId)).toList();
		// At most one: the summary lines share a per-minute allowance with every other test in this JVM.
		assertThat(lines).filteredOn((line) -> line.contains("denied by the topic rules")).hasSizeLessThanOrEqualTo(1);
		assertThat(lines).filteredOn((line) -> line.contains("denied/")).isEmpty();
	}

}

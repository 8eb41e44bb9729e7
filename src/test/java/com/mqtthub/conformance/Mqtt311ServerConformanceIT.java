package com.mqtthub.conformance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Connect;
import com.mqtthub.testing.RawMqttClient.Packet;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;

import static com.mqtthub.testing.RawMqttClient.CONNACK;
import static com.mqtthub.testing.RawMqttClient.PINGRESP;
import static com.mqtthub.testing.RawMqttClient.PUBACK;
import static com.mqtthub.testing.RawMqttClient.PUBCOMP;
import static com.mqtthub.testing.RawMqttClient.PUBLISH;
import static com.mqtthub.testing.RawMqttClient.PUBREC;
import static com.mqtthub.testing.RawMqttClient.PUBREL;
import static com.mqtthub.testing.RawMqttClient.SUBACK;
import static com.mqtthub.testing.RawMqttClient.SUBSCRIBE;
import static com.mqtthub.testing.RawMqttClient.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's side of MQTT 3.1.1, statement by statement. Each test names the normative
 * statement it checks; raw bytes show exactly what the broker sends.
 */
@HubTest
class Mqtt311ServerConformanceIT {

	private static final Duration WAIT = Duration.ofSeconds(5);

	/** How long a packet that must not come is given to come anyway. */
	private static final Duration QUIET = Duration.ofMillis(500);

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private com.mqtthub.security.UserService users;

	@Autowired
	private MeterRegistry meters;

	/** A counter of the hub's (Prometheus {@code mqtthub_...}), as counted so far. */
	double counted(String name) {
		return this.meters.get(name).functionCounter().count();
	}

	private static final String OTHER_PASSWORD = "another-users-Secret-81";

	private String otherUser;

	/** A second user, to try other users' sessions with. */
	String otherUser() {
		if (this.otherUser == null) {
			this.otherUser = "other-" + UUID.randomUUID().toString().substring(0, 8);
			this.users.create(this.otherUser, OTHER_PASSWORD, com.mqtthub.security.Role.ADMIN, true);
		}
		return this.otherUser;
	}

	private final List<RawMqttClient> clients = new ArrayList<>();

	RawMqttClient open() throws IOException {
		RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
		this.clients.add(client);
		return client;
	}

	RawMqttClient connected(String clientId) throws IOException {
		RawMqttClient client = open();
		assertThat(client.connect(new Connect(clientId))).isZero();
		return client;
	}

	static String id(String role) {
		return role + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	static String topic(String prefix) {
		return "conformance/" + prefix + "/" + UUID.randomUUID();
	}

	@org.junit.jupiter.api.AfterEach
	void closeClients() throws IOException {
		for (RawMqttClient client : this.clients) {
			client.close();
		}
	}

	@Nested
	@DisplayName("3.1 CONNECT")
	class ConnectPacket {

		@Test
		@DisplayName("MQTT-3.1.0-1: a first packet other than CONNECT closes the connection")
		void firstPacketMustBeConnect() throws IOException {
			RawMqttClient client = open();
			client.subscribe(1, "a/b", 0);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.0-2: a second CONNECT is a protocol violation and closes the connection")
		void secondConnectClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("twice"));
			client.send(new Connect(id("twice-again")).toBytes());
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.2-2: an MQTT 5 CONNECT gets CONNACK 0x01 and the connection closes")
		void mqtt5IsRefusedAsUnacceptableProtocolLevel() throws IOException {
			RawMqttClient client = open();
			// Level 5 with an empty property list (the one byte MQTT 5 adds before the client id).
			byte[] body = new RawMqttClient.Body().string("MQTT").u8(5).u8(0x02).u16(60).u8(0)
				.string(id("v5")).bytes();
			client.send(RawMqttClient.packet(RawMqttClient.CONNECT, 0, body));
			Packet connAck = client.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()[1]).isEqualTo((byte) 1);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.2-2: an unknown protocol level gets CONNACK 0x01 and the connection closes")
		void unknownProtocolLevelIsRefused() throws IOException {
			RawMqttClient client = open();
			assertThat(client.connect(new Connect(id("level")).protocolLevel(9))).isEqualTo(1);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.4-5 (clients may send packets right behind CONNECT): a pipelined SUBSCRIBE is served")
		void subscribeRightBehindConnectIsServed() throws IOException {
			for (int attempt = 0; attempt < 20; attempt++) {
				RawMqttClient client = open();
				byte[] connect = new Connect(id("eager")).toBytes();
				byte[] subscribe = RawMqttClient.packet(SUBSCRIBE, 0x02,
						new RawMqttClient.Body().u16(1).string(topic("eager")).u8(1).bytes());
				byte[] both = new byte[connect.length + subscribe.length];
				System.arraycopy(connect, 0, both, 0, connect.length);
				System.arraycopy(subscribe, 0, both, connect.length, subscribe.length);
				client.send(both);

				assertThat(client.read().type()).isEqualTo(CONNACK);
				Packet subAck = client.read();
				assertThat(subAck.type()).isEqualTo(SUBACK);
				assertThat(subAck.body()).containsExactly(0, 1, 1);
				client.disconnect().close();
			}
		}

		@Test
		@DisplayName("MQTT-3.1.2-3: a CONNECT whose reserved flag is set closes the connection")
		void reservedConnectFlagClosesTheConnection() throws IOException {
			RawMqttClient client = open();
			byte[] connect = new Connect(id("reserved")).toBytes();
			connect[9] |= 0x01; // CONNECT flags sit after fixed header (2), name (6) and level (1)
			client.send(connect);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.2.2-1: a clean session is answered with session present 0")
		void cleanSessionHasNoSessionPresent() throws IOException {
			RawMqttClient client = open();
			client.send(new Connect(id("clean")).toBytes());
			Packet connAck = client.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()).containsExactly(0, 0);
		}

		@Test
		@DisplayName("MQTT-3.2.2-2: resuming a stored session is answered with session present 1")
		void resumedSessionIsPresent() throws IOException {
			String clientId = id("resume");
			RawMqttClient first = open();
			assertThat(first.connect(new Connect(clientId).cleanSession(false))).isZero();
			first.disconnect().close();

			RawMqttClient second = open();
			second.send(new Connect(clientId).cleanSession(false).toBytes());
			assertThat(second.read().body()).containsExactly(1, 0);
			second.disconnect();

			RawMqttClient cleaned = open();
			cleaned.send(new Connect(clientId).cleanSession(true).toBytes());
			assertThat(cleaned.read().body()).containsExactly(0, 0);
		}

		@Test
		@DisplayName("MQTT-3.1.3-8: an empty client id without clean session gets CONNACK 0x02")
		void emptyClientIdNeedsCleanSession() throws IOException {
			RawMqttClient client = open();
			assertThat(client.connect(new Connect("").cleanSession(false))).isEqualTo(2);
		}

		@Test
		@DisplayName("MQTT-3.1.4-2: a second connection with the same client id takes over the first")
		void sameClientIdTakesOver() throws IOException {
			String clientId = id("takeover");
			RawMqttClient first = connected(clientId);
			RawMqttClient second = connected(clientId);
			assertThat(first.closedByServerWithin(WAIT)).isTrue();
			second.pingReq();
			assertThat(second.read().type()).isEqualTo(PINGRESP);
		}

		@Test
		@DisplayName("MQTT-3.1.2-6, MQTT-3.1.4-2: a clean session taken over by clean session 0 leaves nothing behind")
		void cleanSessionTakenOverLeavesNothing() throws IOException {
			String clientId = id("clean-taken");
			String target = topic("clean-taken");
			RawMqttClient first = connected(clientId);
			assertThat(first.subscribeAndAwait(1, target, 1)).containsExactly(1);

			RawMqttClient second = open();
			second.send(new Connect(clientId).cleanSession(false).toBytes());
			Packet connAck = second.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()[0]).as("session present").isZero();
			assertThat(first.closedByServerWithin(WAIT)).isTrue();
			// The clean session's subscription ended with it.
			connected(id("pub")).publish(target, "not for the new session", 1, false, 1, false);
			assertThat(second.poll(QUIET)).isNull();
		}

		@Test
		@DisplayName("MQTT-3.1.2-8: the will is published when the connection ends without DISCONNECT")
		void willOnAbnormalClose() throws IOException {
			String willTopic = topic("will");
			RawMqttClient watcher = connected(id("watcher"));
			assertThat(watcher.subscribeAndAwait(1, willTopic, 1)).containsExactly(1);
			RawMqttClient device = open();
			assertThat(device.connect(new Connect(id("device")).will(willTopic, "gone", 1, false))).isZero();
			device.close();

			Packet will = watcher.read();
			assertThat(will.type()).isEqualTo(PUBLISH);
			assertThat(will.topic()).isEqualTo(willTopic);
			assertThat(will.payload()).isEqualTo("gone");
		}

		@Test
		@DisplayName("MQTT-3.1.2-17: a will with Will Retain is published as a retained message")
		void retainedWillIsStoredAsRetained() throws IOException {
			String willTopic = topic("retained-will");
			RawMqttClient watcher = connected(id("watcher"));
			watcher.subscribeAndAwait(1, willTopic, 0);
			RawMqttClient device = open();
			assertThat(device.connect(new Connect(id("device")).will(willTopic, "offline", 1, true))).isZero();
			device.close();
			Packet live = watcher.read();
			assertThat(live.payload()).isEqualTo("offline");
			assertThat(live.retain()).as("RETAIN of a live delivery (MQTT-3.3.1-9)").isFalse();

			RawMqttClient late = connected(id("late"));
			late.subscribe(1, willTopic, 0);
			Packet publish = late.readSkipping(SUBACK);
			assertThat(publish.topic()).isEqualTo(willTopic);
			assertThat(publish.payload()).isEqualTo("offline");
			assertThat(publish.retain()).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.2-10, MQTT-3.14.4-3: DISCONNECT discards the will")
		void noWillAfterDisconnect() throws IOException {
			String willTopic = topic("will");
			RawMqttClient watcher = connected(id("watcher"));
			watcher.subscribeAndAwait(1, willTopic, 1);
			// Clients close the socket right after DISCONNECT; repeat to catch a race between the two.
			for (int i = 0; i < 20; i++) {
				RawMqttClient device = open();
				device.connect(new Connect(id("device")).will(willTopic, "gone", 1, false));
				device.disconnect().close();
			}

			assertThat(watcher.poll(QUIET)).isNull();
		}

		@Test
		@DisplayName("MQTT-3.1.2-24: no packet within 1.5 times the keep-alive closes the connection")
		void keepAliveTimeout() throws IOException {
			RawMqttClient client = open();
			assertThat(client.connect(new Connect(id("idle")).keepAlive(1))).isZero();
			// 1.5 s allowed; a little more for scheduling.
			assertThat(client.closedByServerWithin(Duration.ofSeconds(4))).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.1.2-23, MQTT-3.12.4-1: PINGREQ keeps the connection and gets PINGRESP")
		void pingKeepsTheConnectionAlive() throws Exception {
			RawMqttClient client = open();
			assertThat(client.connect(new Connect(id("pinger")).keepAlive(1))).isZero();
			for (int i = 0; i < 4; i++) {
				Thread.sleep(700);
				client.pingReq();
				assertThat(client.read().type()).isEqualTo(PINGRESP);
			}
		}

	}

	@Nested
	@DisplayName("3.3 PUBLISH")
	class PublishPacket {

		@Test
		@DisplayName("MQTT-3.3.1-4: a PUBLISH with both QoS bits set closes the connection")
		void qosThreeClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("qos3"));
			client.send(RawMqttClient.packet(PUBLISH, 0x06, new RawMqttClient.Body().string("a/b").u16(1).bytes()));
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.3.2-2: a wildcard in a PUBLISH topic closes the connection and nothing is delivered")
		void wildcardTopicNameIsRefused() throws IOException {
			String root = topic("wild");
			RawMqttClient watcher = connected(id("watcher"));
			watcher.subscribeAndAwait(1, root + "/#", 0);
			RawMqttClient client = connected(id("wildcard"));
			client.publish(root + "/+", "x", 0, false, 0, false);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
			assertThat(watcher.poll(QUIET)).isNull();
		}

		@Test
		@DisplayName("MQTT-1.5.3-1: a topic that is not well-formed UTF-8 closes the connection")
		void illFormedUtf8ClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("utf8"));
			byte[] topic = { 'a', '/', (byte) 0xC3, (byte) 0x28 };
			client.send(RawMqttClient.packet(PUBLISH, 0, new RawMqttClient.Body().binary(topic).u8('x').bytes()));
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-1.5.3-2: a topic filter with U+0000 closes the connection")
		void nulCharacterClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("nul"));
			client.subscribe(1, "a/\u0000/b", 0);
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.3.1-5: a retained message reaches a new subscriber")
		void retainedMessageGoesToNewSubscribers() throws IOException {
			String retained = topic("retained");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "stored", 1, true, 7, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);

			RawMqttClient late = connected(id("late"));
			late.subscribe(1, retained, 0);
			Packet publish = late.readSkipping(SUBACK);
			assertThat(publish.payload()).isEqualTo("stored");
			assertThat(publish.retain()).as("RETAIN flag at QoS 0").isTrue();
		}

		@Test
		@DisplayName("MQTT-3.3.1-5, MQTT-3.3.1-7: a retained QoS 0 message is kept and replaces the one before")
		void retainedQosZeroMessageIsKept() throws IOException {
			String retained = topic("retained0");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "older", 1, true, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);
			publisher.publish(retained, "newest", 0, true, 0, false);
			publisher.pingReq();
			assertThat(publisher.read().type()).isEqualTo(PINGRESP);

			org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
				try (RawMqttClient late = new RawMqttClient("127.0.0.1", broker.getTcpPort())) {
					assertThat(late.connect(new Connect(id("late")))).isZero();
					late.subscribe(1, retained, 1);
					Packet publish = late.readSkipping(SUBACK);
					assertThat(publish.payload()).isEqualTo("newest");
					assertThat(publish.retain()).isTrue();
					assertThat(publish.qos()).isZero();
				}
			});
			// An empty QoS 0 retained message deletes it (MQTT-3.3.1-10).
			publisher.publish(retained, "", 0, true, 0, false);
			org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
				try (RawMqttClient late = new RawMqttClient("127.0.0.1", broker.getTcpPort())) {
					assertThat(late.connect(new Connect(id("late")))).isZero();
					late.subscribe(1, retained, 1);
					assertThat(late.read().type()).isEqualTo(SUBACK);
					assertThat(late.poll(QUIET)).isNull();
				}
			});
		}

		@ParameterizedTest(name = "retained at QoS {0}, subscribed at QoS {1}")
		@CsvSource({ "1,1", "2,2", "2,1", "1,2", "2,0" })
		@DisplayName("MQTT-3.3.1-8: a retained message sent to a new subscriber has RETAIN 1, at min(QoS)")
		void retainedMessageToNewSubscriberHasRetainFlag(int publishedQos, int subscribedQos) throws IOException {
			String retained = topic("retained");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "stored", publishedQos, true, 7, false);
			if (publishedQos == 2) {
				assertThat(publisher.read().type()).isEqualTo(PUBREC);
				publisher.ack(PUBREL, 7);
				assertThat(publisher.read().type()).isEqualTo(PUBCOMP);
			}
			else {
				assertThat(publisher.read().type()).isEqualTo(PUBACK);
			}

			RawMqttClient late = connected(id("late"));
			late.subscribe(1, retained, subscribedQos);
			Packet publish = late.readSkipping(SUBACK);
			assertThat(publish.payload()).isEqualTo("stored");
			assertThat(publish.retain()).isTrue();
			assertThat(publish.qos()).isEqualTo(Math.min(publishedQos, subscribedQos));
		}

		@Test
		@DisplayName("MQTT-3.3.1-8: a retained message queued behind a full in-flight window still has RETAIN 1")
		void retainedMessageQueuedInTheStoreKeepsItsRetainFlag() throws IOException {
			String busy = topic("busy");
			String retained = topic("retained-queued");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "stored", 1, true, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);

			RawMqttClient subscriber = open();
			subscriber.connect(new Connect(id("window")).cleanSession(false));
			subscriber.subscribeAndAwait(1, busy, 1);
			// Fill the engine's in-flight window of 10 without acknowledging anything.
			List<Packet> unacknowledged = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				publisher.publish(busy, "m" + i, 1, false, 10 + i, false);
				assertThat(publisher.read().type()).isEqualTo(PUBACK);
				unacknowledged.add(subscriber.read());
			}
			// Its retained message now waits in the session's stored queue.
			subscriber.subscribe(2, retained, 1);
			assertThat(subscriber.read().type()).isEqualTo(SUBACK);
			assertThat(subscriber.poll(QUIET)).isNull();
			for (Packet publish : unacknowledged) {
				subscriber.ack(PUBACK, publish.publishPacketId());
			}
			Packet queued = subscriber.read();
			assertThat(queued.payload()).isEqualTo("stored");
			assertThat(queued.retain()).isTrue();
			subscriber.ack(PUBACK, queued.publishPacketId());
			subscriber.unsubscribe(3, busy);
			subscriber.unsubscribe(4, retained);
		}

		@Test
		@DisplayName("MQTT-3.3.1-9: a retained publish forwarded to an existing subscriber has RETAIN 0")
		void liveDeliveryClearsRetainFlag() throws IOException {
			String retained = topic("retained");
			RawMqttClient subscriber = connected(id("sub"));
			subscriber.subscribeAndAwait(1, retained, 0);
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "live", 0, true, 0, false);

			Packet publish = subscriber.read();
			assertThat(publish.payload()).isEqualTo("live");
			assertThat(publish.retain()).isFalse();
		}

		@Test
		@DisplayName("MQTT-3.3.1-10, MQTT-3.3.1-11: an empty retained payload removes the retained message")
		void emptyRetainedPayloadClearsTheTopic() throws IOException {
			String retained = topic("retained");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "stored", 0, true, 0, false);
			publisher.publish(retained, "", 0, true, 0, false);
			publisher.pingReq();
			assertThat(publisher.read().type()).isEqualTo(PINGRESP);

			RawMqttClient late = connected(id("late"));
			assertThat(late.subscribeAndAwait(1, retained, 0)).containsExactly(0);
			assertThat(late.poll(QUIET)).isNull();
		}

		@Test
		@DisplayName("MQTT-3.3.1-12: a publish without RETAIN leaves the retained message alone")
		void nonRetainedPublishKeepsTheRetainedMessage() throws IOException {
			String retained = topic("retained");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "stored", 1, true, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);
			publisher.publish(retained, "passing", 1, false, 2, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);

			RawMqttClient late = connected(id("late"));
			late.subscribe(1, retained, 0);
			Packet publish = late.readSkipping(SUBACK);
			assertThat(publish.payload()).isEqualTo("stored");
		}

		@Test
		@DisplayName("MQTT-3.3.4-1, MQTT-4.3.2-2: QoS 1 is answered with PUBACK carrying the packet id")
		void qosOneIsAcknowledged() throws IOException {
			RawMqttClient client = connected(id("qos1"));
			client.publish(topic("qos1"), "x", 1, false, 4242, false);
			Packet ack = client.read();
			assertThat(ack.type()).isEqualTo(PUBACK);
			assertThat(ack.u16(0)).isEqualTo(4242);
		}

		@Test
		@DisplayName("MQTT-4.3.3-2: QoS 2 flow PUBREC, PUBREL, PUBCOMP; a resent PUBLISH is delivered once")
		void qosTwoIsDeliveredExactlyOnce() throws IOException {
			String target = topic("qos2");
			RawMqttClient subscriber = connected(id("sub"));
			subscriber.subscribeAndAwait(1, target, 0);
			RawMqttClient publisher = connected(id("pub"));

			publisher.publish(target, "once", 2, false, 99, false);
			Packet pubRec = publisher.read();
			assertThat(pubRec.type()).isEqualTo(PUBREC);
			assertThat(pubRec.u16(0)).isEqualTo(99);
			publisher.publish(target, "once", 2, false, 99, true);
			assertThat(publisher.read().type()).isEqualTo(PUBREC);
			publisher.ack(PUBREL, 99);
			Packet pubComp = publisher.read();
			assertThat(pubComp.type()).isEqualTo(PUBCOMP);
			assertThat(pubComp.u16(0)).isEqualTo(99);

			assertThat(subscriber.read().payload()).isEqualTo("once");
			assertThat(subscriber.poll(QUIET)).isNull();
		}

		@Test
		@DisplayName("MQTT-4.4.0-1: an unacknowledged QoS 1 message is resent with DUP on session resume")
		void unacknowledgedMessageIsResentOnResume() throws IOException {
			String target = topic("resend");
			String clientId = id("resume");
			RawMqttClient subscriber = open();
			subscriber.connect(new Connect(clientId).cleanSession(false));
			subscriber.subscribeAndAwait(1, target, 1);
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(target, "must arrive", 1, false, 1, false);
			Packet first = subscriber.read();
			assertThat(first.payload()).isEqualTo("must arrive");
			subscriber.close(); // no PUBACK

			RawMqttClient resumed = open();
			resumed.send(new Connect(clientId).cleanSession(false).toBytes());
			assertThat(resumed.read().type()).isEqualTo(CONNACK);
			Packet again = resumed.read();
			assertThat(again.type()).isEqualTo(PUBLISH);
			assertThat(again.payload()).isEqualTo("must arrive");
			assertThat(again.dup()).isTrue();
			resumed.ack(PUBACK, again.publishPacketId());
			resumed.unsubscribe(2, target);
		}

		/** Sooner than the engine's own resend timer (5 s): the hub sends them on reconnect. */
		private static final Duration AT_ONCE = Duration.ofSeconds(2);

		@ParameterizedTest(name = "QoS {0}")
		@ValueSource(ints = { 1, 2 })
		@DisplayName("MQTT-4.4.0-1: unacknowledged messages are sent again first on reconnect, DUP 1, same packet ids, once")
		void unacknowledgedMessagesAreSentAgainAtOnceOnReconnect(int qos) throws IOException {
			String target = topic("redeliver");
			String clientId = id("redeliver");
			RawMqttClient subscriber = open();
			subscriber.connect(new Connect(clientId).cleanSession(false));
			subscriber.subscribeAndAwait(1, target, qos);
			RawMqttClient publisher = connected(id("pub"));
			for (int i = 1; i <= 3; i++) {
				publisher.publish(target, "m" + i, 1, false, i, false);
			}
			List<Packet> first = List.of(subscriber.read(), subscriber.read(), subscriber.read());
			subscriber.close(); // the network drops: nothing acknowledged

			RawMqttClient resumed = open();
			resumed.send(new Connect(clientId).cleanSession(false).toBytes());
			Packet connAck = resumed.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()[0]).as("session present").isEqualTo((byte) 1);
			for (Packet sent : first) {
				Packet again = resumed.poll(AT_ONCE);
				assertThat(again).as("sent again at once").isNotNull();
				assertThat(again.type()).isEqualTo(PUBLISH);
				assertThat(again.dup()).isTrue();
				assertThat(again.publishPacketId()).isEqualTo(sent.publishPacketId());
				assertThat(again.payload()).isEqualTo(sent.payload());
				acknowledge(resumed, again);
			}
			// New messages come next, with ids of their own.
			publisher.publish(target, "new", 1, false, 9, false);
			Packet fresh = resumed.readSkipping(PUBCOMP);
			assertThat(fresh.payload()).isEqualTo("new");
			assertThat(fresh.dup()).isFalse();
			assertThat(first.stream().map(Packet::publishPacketId)).doesNotContain(fresh.publishPacketId());
			acknowledge(resumed, fresh);
			// Once acknowledged, nothing comes again (not even after the engine's resend delay).
			Packet more = resumed.poll(Duration.ofSeconds(6));
			while (more != null && more.type() == PUBCOMP) {
				more = resumed.poll(Duration.ofSeconds(1));
			}
			assertThat(more).isNull();
			resumed.unsubscribe(2, target);
		}

		@Test
		@DisplayName("MQTT-4.4.0-1: PUBREL is sent again for a QoS 2 message received but not completed")
		void pubRelIsSentAgainOnReconnect() throws IOException {
			String target = topic("release");
			String clientId = id("release");
			RawMqttClient subscriber = open();
			subscriber.connect(new Connect(clientId).cleanSession(false));
			subscriber.subscribeAndAwait(1, target, 2);
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(target, "two", 2, false, 1, false);
			Packet publish = subscriber.read();
			subscriber.ack(PUBREC, publish.publishPacketId());
			Packet pubRel = subscriber.read();
			assertThat(pubRel.type()).isEqualTo(PUBREL);
			subscriber.close(); // no PUBCOMP

			RawMqttClient resumed = open();
			resumed.send(new Connect(clientId).cleanSession(false).toBytes());
			assertThat(resumed.read().type()).isEqualTo(CONNACK);
			Packet again = resumed.poll(AT_ONCE);
			assertThat(again).isNotNull();
			assertThat(again.type()).isEqualTo(PUBREL);
			assertThat(again.u16(0)).isEqualTo(publish.publishPacketId());
			resumed.ack(PUBCOMP, publish.publishPacketId());
			assertThat(resumed.poll(Duration.ofSeconds(6))).isNull();
			resumed.unsubscribe(2, target);
		}

		@Test
		@DisplayName("MQTT-3.1.2-6: a clean session does not get what an earlier session left in flight")
		void cleanSessionDropsWhatWasInFlight() throws IOException {
			String target = topic("dropped");
			String clientId = id("dropped");
			RawMqttClient subscriber = open();
			subscriber.connect(new Connect(clientId).cleanSession(false));
			subscriber.subscribeAndAwait(1, target, 1);
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(target, "in flight", 1, false, 1, false);
			assertThat(subscriber.read().type()).isEqualTo(PUBLISH);
			subscriber.close();

			RawMqttClient clean = open();
			assertThat(clean.connect(new Connect(clientId))).isZero();
			assertThat(clean.poll(QUIET)).isNull();
			clean.disconnect();
			RawMqttClient persistentAgain = open();
			persistentAgain.send(new Connect(clientId).cleanSession(false).toBytes());
			Packet connAck = persistentAgain.read();
			assertThat(connAck.body()[0]).as("session present").isZero();
			assertThat(persistentAgain.poll(Duration.ofSeconds(6))).isNull();
		}

		private static void acknowledge(RawMqttClient client, Packet publish) throws IOException {
			if (publish.qos() == 1) {
				client.ack(PUBACK, publish.publishPacketId());
			}
			else {
				client.ack(PUBREC, publish.publishPacketId());
				assertThat(client.read().type()).isEqualTo(PUBREL);
				client.ack(PUBCOMP, publish.publishPacketId());
			}
		}

		@Test
		@DisplayName("MQTT-4.6.0-2, MQTT-4.6.0-6: QoS 1 messages of one publisher arrive in the order sent")
		void orderIsKept() throws IOException {
			String target = topic("order");
			RawMqttClient subscriber = connected(id("sub"));
			subscriber.subscribeAndAwait(1, target, 1);
			RawMqttClient publisher = connected(id("pub"));
			for (int i = 1; i <= 50; i++) {
				publisher.publish(target, Integer.toString(i), 1, false, i, false);
			}
			List<String> payloads = new ArrayList<>();
			while (payloads.size() < 50) {
				Packet publish = subscriber.read();
				payloads.add(publish.payload());
				subscriber.ack(PUBACK, publish.publishPacketId());
			}
			assertThat(payloads).isEqualTo(java.util.stream.IntStream.rangeClosed(1, 50).mapToObj(Integer::toString).toList());
		}

	}

	@Nested
	@DisplayName("Session ownership")
	class SessionOwnership {

		@Test
		@DisplayName("A CONNECT by another user with a session's client id gets CONNACK 5; the owner keeps its queue")
		void anotherUserCannotTakeOverASession() throws IOException {
			String target = topic("owned");
			String clientId = id("owned");
			RawMqttClient owner = open();
			assertThat(owner.connect(new Connect(clientId).cleanSession(false))).isZero();
			owner.subscribeAndAwait(1, target, 1);
			owner.disconnect();
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(target, "queued for the owner", 1, false, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);

			double refusedBefore = counted("mqtthub.sessions.takeovers.refused");
			for (boolean clean : new boolean[] { false, true }) {
				RawMqttClient thief = open();
				assertThat(thief.connect(new Connect(clientId).cleanSession(clean)
					.credentials(otherUser(), OTHER_PASSWORD))).as("clean " + clean).isEqualTo(5);
				assertThat(thief.closedByServerWithin(WAIT)).isTrue();
			}
			assertThat(counted("mqtthub.sessions.takeovers.refused")).isEqualTo(refusedBefore + 2);

			RawMqttClient back = open();
			back.send(new Connect(clientId).cleanSession(false).toBytes());
			Packet connAck = back.read();
			assertThat(connAck.type()).isEqualTo(CONNACK);
			assertThat(connAck.body()[0]).as("session present").isEqualTo((byte) 1);
			Packet queued = back.read();
			assertThat(queued.payload()).isEqualTo("queued for the owner");
			back.ack(PUBACK, queued.publishPacketId());
			back.unsubscribe(2, target);
		}

		@Test
		@DisplayName("Another user cannot take over a connected clean session either")
		void anotherUserCannotKickAConnectedClient() throws IOException {
			String clientId = id("busy");
			RawMqttClient owner = connected(clientId);
			RawMqttClient thief = open();
			assertThat(thief.connect(new Connect(clientId).credentials(otherUser(), OTHER_PASSWORD)))
				.isEqualTo(5);
			owner.pingReq();
			assertThat(owner.read().type()).isEqualTo(PINGRESP);
			// Once its clean session has ended, the client id is free for anyone.
			owner.disconnect();
			assertThat(owner.closedByServerWithin(WAIT)).isTrue();
			org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
				try (RawMqttClient next = new RawMqttClient("127.0.0.1", broker.getTcpPort())) {
					assertThat(next.connect(new Connect(clientId).credentials(otherUser(),
							OTHER_PASSWORD))).isZero();
				}
			});
		}

	}

	@Nested
	@DisplayName("3.8 SUBSCRIBE, 3.10 UNSUBSCRIBE, 4.7 topics")
	class Subscriptions {

		@Test
		@DisplayName("MQTT-3.8.1-1: SUBSCRIBE with wrong reserved flags closes the connection")
		void subscribeWithWrongFlagsClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("flags"));
			client.send(SUBSCRIBE, 0x00, new RawMqttClient.Body().u16(1).string("a/b").u8(0).bytes());
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.8.3-3: SUBSCRIBE without any topic filter closes the connection")
		void subscribeWithoutFiltersClosesTheConnection() throws IOException {
			RawMqttClient client = connected(id("empty"));
			client.send(SUBSCRIBE, 0x02, new RawMqttClient.Body().u16(1).bytes());
			assertThat(client.closedByServerWithin(WAIT)).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.8.4-1, MQTT-3.8.4-2, MQTT-3.8.4-5: SUBACK has the packet id and one code per filter")
		void subAckMatchesTheRequest() throws IOException {
			RawMqttClient client = connected(id("suback"));
			String root = topic("suback");
			client.send(SUBSCRIBE, 0x02,
					new RawMqttClient.Body().u16(321).string(root + "/a").u8(0).string(root + "/b").u8(1)
						.string(root + "/c").u8(2).bytes());
			Packet subAck = client.read();
			assertThat(subAck.type()).isEqualTo(SUBACK);
			assertThat(subAck.u16(0)).isEqualTo(321);
			assertThat(subAck.body()).endsWith(0, 1, 2);
		}

		@Test
		@DisplayName("MQTT-4.7.1-2: a filter with '#' not last is refused (SUBACK 0x80 or close)")
		void misplacedMultiLevelWildcardIsRefused() throws IOException {
			RawMqttClient client = connected(id("badfilter"));
			client.subscribe(5, "a/#/b", 0);
			Packet answer = client.poll(WAIT);
			if (answer != null) {
				assertThat(answer.type()).isEqualTo(SUBACK);
				assertThat(answer.body()[2]).isEqualTo((byte) 0x80);
			}
		}

		@Test
		@DisplayName("MQTT-3.10.4-4, MQTT-3.10.4-5: UNSUBACK comes even when nothing matched")
		void unsubAckEvenWithoutSubscription() throws IOException {
			RawMqttClient client = connected(id("unsub"));
			client.unsubscribe(77, topic("never"));
			Packet unsubAck = client.read();
			assertThat(unsubAck.type()).isEqualTo(UNSUBACK);
			assertThat(unsubAck.u16(0)).isEqualTo(77);
		}

		@ParameterizedTest
		@ValueSource(strings = { "#", "+/#", "+/+", "+/%s" })
		@DisplayName("MQTT-4.7.2-1: wildcards at the first level do not match topics starting with '$'")
		void wildcardsDoNotMatchDollarTopics(String filter) throws IOException {
			String marker = UUID.randomUUID().toString();
			RawMqttClient subscriber = connected(id("dollar"));
			subscriber.subscribeAndAwait(1, filter.formatted(marker), 0);
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish("$hub/" + marker, "hidden", 0, false, 0, false);
			publisher.publish("$hub/" + marker, "hidden retained", 1, true, 3, false);
			publisher.publish("visible/" + marker, "shown", 0, false, 0, false);

			Packet shown;
			do {
				shown = subscriber.read();
				assertThat(shown.topic()).doesNotStartWith("$");
			}
			while (!shown.topic().equals("visible/" + marker));
			// Nor does a new subscription get the retained '$' message.
			RawMqttClient late = connected(id("late"));
			late.subscribe(1, "+/" + marker, 1);
			assertThat(late.read().type()).isEqualTo(SUBACK);
			assertThat(late.poll(QUIET)).isNull();
			// A filter that names the '$' level does match.
			late.subscribe(2, "$hub/" + marker, 1);
			assertThat(late.readSkipping(SUBACK).payload()).isEqualTo("hidden retained");
		}

		@Test
		@DisplayName("MQTT-4.7.2-1: clients may not publish to $SYS topics")
		void publishingToSysTopicsClosesTheConnection() throws IOException {
			RawMqttClient watcher = connected(id("sys-watch"));
			watcher.subscribeAndAwait(1, "$SYS/#", 0);
			RawMqttClient publisher = connected(id("sys-forger"));
			double deniedBefore = counted("mqtthub.messages.denied");
			publisher.publish("$SYS/broker/clients/connected", "0", 1, false, 5, false);
			assertThat(publisher.closedByServerWithin(WAIT)).isTrue();
			// Refused like a PUBLISH the topic rules deny, and counted with them.
			Awaitility.await().atMost(WAIT)
				.untilAsserted(() -> assertThat(counted("mqtthub.messages.denied")).isGreaterThan(deniedBefore));
			Packet forged = watcher.poll(QUIET);
			assertThat(forged == null || !"0".equals(forged.payload())).isTrue();
		}

		@Test
		@DisplayName("MQTT-3.8.4-3: subscribing again replaces the subscription and resends retained messages")
		void resubscribeReplacesAndResendsRetained() throws IOException {
			String retained = topic("resub");
			RawMqttClient publisher = connected(id("pub"));
			publisher.publish(retained, "kept", 1, true, 1, false);
			assertThat(publisher.read().type()).isEqualTo(PUBACK);

			RawMqttClient subscriber = connected(id("sub"));
			subscriber.subscribe(1, retained, 0);
			assertThat(subscriber.readSkipping(SUBACK).payload()).isEqualTo("kept");
			subscriber.subscribe(2, retained, 1);
			assertThat(subscriber.readSkipping(SUBACK).payload()).isEqualTo("kept");

			publisher.publish(retained, "once", 1, false, 2, false);
			Packet live = subscriber.read();
			assertThat(live.payload()).isEqualTo("once");
			assertThat(live.qos()).as("replaced subscription's QoS").isEqualTo(1);
			assertThat(subscriber.poll(QUIET)).as("one subscription, not two").isNull();
		}

	}

}

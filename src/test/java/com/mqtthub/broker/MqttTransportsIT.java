package com.mqtthub.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker's behaviour as real MQTT clients see it, over each way in: plain TCP, the broker's
 * own WebSocket listener and the same-origin WebSocket endpoint on the web port.
 */
@HubTest
class MqttTransportsIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** How long a message that must not arrive is given to show up anyway. */
	private static final Duration QUIET = Duration.ofMillis(500);

	@Autowired
	private EmbeddedBroker broker;

	@LocalServerPort
	private int webPort;

	enum Transport {

		TCP, BROKER_WEBSOCKET, SAME_ORIGIN_WEBSOCKET

	}

	static Stream<Transport> transports() {
		return Arrays.stream(Transport.values());
	}

	static Stream<Arguments> transportsAndQos() {
		return transports().flatMap((transport) -> Stream.of(0, 1, 2).map((qos) -> Arguments.of(transport, qos)));
	}

	private String uri(Transport transport) {
		return switch (transport) {
			case TCP -> "tcp://127.0.0.1:" + this.broker.getTcpPort();
			case BROKER_WEBSOCKET -> "ws://127.0.0.1:" + this.broker.getWebSocketPort() + "/mqtt";
			case SAME_ORIGIN_WEBSOCKET -> "ws://127.0.0.1:" + this.webPort + "/mqtt";
		};
	}

	private static String unique(String prefix) {
		return prefix + "/" + UUID.randomUUID();
	}

	private static String clientId(String role) {
		return role + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@ParameterizedTest(name = "{0} QoS {1}")
	@MethodSource("transportsAndQos")
	void messageMakesTheRoundTripAtEachQos(Transport transport, int qos) throws Exception {
		String topic = unique("roundtrip");
		try (MqttTestClient subscriber = MqttTestClient.connect(uri(transport), clientId("sub"));
				MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			subscriber.subscribe(topic, qos);
			publisher.publish(topic, "hello at qos " + qos, qos, false);

			Received received = subscriber.awaitMessage(WAIT);
			assertThat(received.topic()).isEqualTo(topic);
			assertThat(received.payload()).isEqualTo("hello at qos " + qos);
			assertThat(received.message().getQos()).isEqualTo(qos);
			assertThat(subscriber.drain()).as("exactly once").isEmpty();
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void retainedMessageReachesALateSubscriber(Transport transport) throws Exception {
		String topic = unique("retained");
		try (MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			publisher.publish(topic, "last known value", 1, true);
		}
		try (MqttTestClient late = MqttTestClient.connect(uri(transport), clientId("late"))) {
			late.subscribe(topic, 1);
			Received received = late.awaitMessage(WAIT);
			assertThat(received.payload()).isEqualTo("last known value");
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void willIsPublishedWhenAClientVanishes(Transport transport) throws Exception {
		String willTopic = unique("will");
		try (MqttTestClient watcher = MqttTestClient.connect(uri(transport), clientId("watcher"))) {
			watcher.subscribe(willTopic, 1);
			MqttConnectOptions options = MqttTestClient.options(true);
			options.setWill(willTopic, "device offline".getBytes(StandardCharsets.UTF_8), 1, false);
			MqttTestClient device = MqttTestClient.connect(uri(transport), clientId("device"), options);
			device.dropConnection();

			Received will = watcher.awaitMessage(WAIT);
			assertThat(will.topic()).isEqualTo(willTopic);
			assertThat(will.payload()).isEqualTo("device offline");
			device.close();
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void willIsNotPublishedOnACleanDisconnect(Transport transport) throws Exception {
		String willTopic = unique("will");
		String marker = unique("marker");
		try (MqttTestClient watcher = MqttTestClient.connect(uri(transport), clientId("watcher"))) {
			watcher.subscribe(willTopic, 1);
			watcher.subscribe(marker, 1);
			MqttConnectOptions options = MqttTestClient.options(true);
			options.setWill(willTopic, "device offline".getBytes(StandardCharsets.UTF_8), 1, false);
			MqttTestClient device = MqttTestClient.connect(uri(transport), clientId("device"), options);
			device.close();
			try (MqttTestClient other = MqttTestClient.connect(uri(transport), clientId("other"))) {
				other.publish(marker, "after disconnect", 1, false);
			}

			assertThat(watcher.awaitMessage(WAIT).topic()).isEqualTo(marker);
			assertThat(watcher.drain()).isEmpty();
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void persistentSessionReceivesWhatWasQueuedWhileOffline(Transport transport) throws Exception {
		String topic = unique("queued");
		String id = clientId("persistent");
		MqttConnectOptions persistent = MqttTestClient.options(false);
		try (MqttTestClient first = MqttTestClient.connect(uri(transport), id, persistent)) {
			first.subscribe(topic, 1);
		}
		try (MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			for (int i = 1; i <= 3; i++) {
				publisher.publish(topic, "queued " + i, 1, false);
			}
		}
		try (MqttTestClient again = MqttTestClient.connect(uri(transport), id, persistent)) {
			List<String> payloads = again.awaitMessages(3, WAIT).stream().map(Received::payload).toList();
			assertThat(payloads).containsExactly("queued 1", "queued 2", "queued 3");
			again.paho().unsubscribe(topic);
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void wildcardsMatchAsTheSpecificationSays(Transport transport) throws Exception {
		String root = unique("wild");
		try (MqttTestClient subscriber = MqttTestClient.connect(uri(transport), clientId("sub"));
				MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			subscriber.subscribe(root + "/+/temp", 1);
			subscriber.subscribe(root + "/home/#", 1);
			List<String> topics = List.of(root + "/kitchen/temp", root + "/kitchen/humidity", root + "/a/b/temp",
					root + "/home", root + "/home/lights/1", root + "/other");
			for (String topic : topics) {
				publisher.publish(topic, topic, 1, false);
			}
			publisher.publish(root + "/end/temp", "end", 1, false);

			List<Received> received = subscriber.awaitMessages(4, WAIT);
			assertThat(received).extracting(Received::topic)
				.containsExactlyInAnyOrder(root + "/kitchen/temp", root + "/home", root + "/home/lights/1",
						root + "/end/temp");
			assertThat(subscriber.drain()).isEmpty();
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void unsubscribeStopsDelivery(Transport transport) throws Exception {
		String topic = unique("unsub");
		String marker = unique("marker");
		try (MqttTestClient subscriber = MqttTestClient.connect(uri(transport), clientId("sub"));
				MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			subscriber.subscribe(topic, 1);
			subscriber.subscribe(marker, 1);
			publisher.publish(topic, "before", 1, false);
			assertThat(subscriber.awaitMessage(WAIT).payload()).isEqualTo("before");

			subscriber.paho().unsubscribe(topic);
			publisher.publish(topic, "after", 1, false);
			publisher.publish(marker, "marker", 1, false);

			assertThat(subscriber.awaitMessage(WAIT).topic()).isEqualTo(marker);
			assertThat(subscriber.drain()).isEmpty();
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void halfMegabytePayloadArrivesIntact(Transport transport) throws Exception {
		String topic = unique("large");
		byte[] payload = new byte[512 * 1024];
		new Random(42).nextBytes(payload);
		try (MqttTestClient subscriber = MqttTestClient.connect(uri(transport), clientId("sub"));
				MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
			subscriber.subscribe(topic, 1);
			publisher.publish(topic, payload, 1, false);

			assertThat(subscriber.awaitMessage(WAIT).message().getPayload()).isEqualTo(payload);
		}
	}

	@ParameterizedTest
	@MethodSource("transports")
	void payloadOverTheLimitIsRefusedAndOthersCarryOn(Transport transport) throws Exception {
		String topic = unique("oversize");
		int limit = (int) this.broker.getProperties().getMaxMessageSize().toBytes();
		try (MqttTestClient subscriber = MqttTestClient.connect(uri(transport), clientId("sub"));
				MqttTestClient offender = MqttTestClient.connect(uri(transport), clientId("big"))) {
			subscriber.subscribe(topic, 0);
			try {
				offender.publish(topic, new byte[limit + 1], 0, false);
			}
			catch (org.eclipse.paho.client.mqttv3.MqttException ex) {
				// The broker may close the connection before the client finishes writing.
			}

			await().atMost(WAIT).until(() -> !offender.isConnected());
			try (MqttTestClient publisher = MqttTestClient.connect(uri(transport), clientId("pub"))) {
				publisher.publish(topic, "still serving", 0, false);
			}
			Received received = subscriber.awaitMessage(WAIT);
			assertThat(received.payload()).isEqualTo("still serving");
			assertThat(subscriber.drain()).isEmpty();
		}
	}

}

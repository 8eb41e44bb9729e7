package com.mqtthub.bridge;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mqtthub.MqttHubApplication;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.MqttTestClient.Received;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hubs, each with a bridge to the other, both {@code both} on the same filter (MQTT 3.1.1,
 * no "no local"): a message published on either side arrives exactly once on each side, QoS 1,
 * retained messages and their deletion too, and nothing goes round in a loop.
 */
class HubToHubIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Long enough for an echo or a looping copy to show up, were there one. */
	private static final Duration SETTLE = Duration.ofMillis(1500);

	private static final int MESSAGES = 20;

	private static ConfigurableApplicationContext hub(String name, String peer, int port, int peerPort) {
		String at = "--mqtthub.bridges[0].";
		return SpringApplication.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=" + port,
				"--mqtthub.broker.websocket.port=0",
				"--mqtthub.broker.data-directory=target/test-data/" + name + "-" + UUID.randomUUID(),
				"--mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD, at + "name=to-" + peer,
				at + "addresses[0]=tcp://127.0.0.1:" + peerPort, at + "client-id=" + name + "-bridge",
				at + "peer-client-id=" + peer + "-bridge", at + "username=" + HubTest.ADMIN,
				at + "password=" + HubTest.ADMIN_PASSWORD, at + "reconnect.initial-delay=200ms",
				at + "reconnect.max-delay=1s", at + "topics[0].filter=shared/#", at + "topics[0].direction=both",
				at + "topics[0].qos=1");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Test
	void eachMessageArrivesOnceOnEachSide() throws Exception {
		int portA = freePort();
		int portB = freePort();
		try (ConfigurableApplicationContext a = hub("a", "b", portA, portB);
				ConfigurableApplicationContext b = hub("b", "a", portB, portA)) {
			BridgeLink toB = a.getBean(BridgeService.class).link("to-b").orElseThrow();
			BridgeLink toA = b.getBean(BridgeService.class).link("to-a").orElseThrow();
			awaitConnected(toB);
			awaitConnected(toA);
			String uriA = "tcp://127.0.0.1:" + a.getBean(EmbeddedBroker.class).getTcpPort();
			String uriB = "tcp://127.0.0.1:" + b.getBean(EmbeddedBroker.class).getTcpPort();
			try (MqttTestClient atA = subscriber(uriA); MqttTestClient atB = subscriber(uriB);
					MqttTestClient publisherA = MqttTestClient.connect(uriA, "pub-a-" + UUID.randomUUID());
					MqttTestClient publisherB = MqttTestClient.connect(uriB, "pub-b-" + UUID.randomUUID())) {
				List<String> expected = new ArrayList<>();
				for (int i = 0; i < MESSAGES; i++) {
					publisherA.publish("shared/from-a", "a" + i, 1, false);
					publisherB.publish("shared/from-b", "b" + i, 1, false);
					expected.add("shared/from-a:a" + i);
					expected.add("shared/from-b:b" + i);
				}
				assertExactly(atA, expected);
				assertExactly(atB, expected);

				// Retained, published on one side: kept on both, delivered once on each.
				publisherA.publish("shared/door", "open", 1, true);
				assertExactly(atA, List.of("shared/door:open"));
				assertExactly(atB, List.of("shared/door:open"));
				assertRetained(uriA, "open");
				assertRetained(uriB, "open");
				// And its deletion, from the other side.
				publisherB.publish("shared/door", new byte[0], 1, true);
				assertExactly(atA, List.of("shared/door:"));
				assertExactly(atB, List.of("shared/door:"));
				assertRetained(uriA, null);
				assertRetained(uriB, null);
			}
			System.out.printf("Hub to hub: forwarded a->b %d, b->a %d; received by a %d, by b %d%n", toB.forwarded(),
					toA.forwarded(), toB.received(), toA.received());
			// Each side sent its own messages once and nothing else: no loop, no echo.
			assertThat(toB.forwarded()).isEqualTo(MESSAGES + 1);
			assertThat(toA.forwarded()).isEqualTo(MESSAGES + 1);
			assertThat(toB.received() + toA.received()).as("nothing came back in over the subscriptions")
				.isZero();
		}
	}

	private static MqttTestClient subscriber(String uri) throws Exception {
		MqttTestClient client = MqttTestClient.connect(uri, "sub-" + UUID.randomUUID());
		client.subscribe("shared/#", 1);
		return client;
	}

	/** These messages in any order, each once, and nothing more after a while. */
	private static void assertExactly(MqttTestClient subscriber, List<String> expected) throws Exception {
		List<String> received = new ArrayList<>();
		for (Received message : subscriber.awaitMessages(expected.size(), WAIT)) {
			assertThat(message.message().getQos()).isEqualTo(1);
			received.add(message.toString());
		}
		Thread.sleep(SETTLE.toMillis());
		subscriber.drain().forEach((message) -> received.add(message.toString()));
		assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
	}

	private static void assertRetained(String uri, String payload) throws Exception {
		try (MqttTestClient late = MqttTestClient.connect(uri, "late-" + UUID.randomUUID())) {
			late.subscribe("shared/door", 1);
			Thread.sleep(SETTLE.toMillis());
			List<Received> retained = late.drain();
			if (payload == null) {
				assertThat(retained).as("deleted at " + uri).isEmpty();
			}
			else {
				assertThat(retained).extracting(Received::payload).as("retained at " + uri).containsExactly(payload);
			}
		}
	}

	private static void awaitConnected(BridgeLink link) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (link.state() != BridgeState.CONNECTED && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(link.state()).as(link.name()).isEqualTo(BridgeState.CONNECTED);
	}

}

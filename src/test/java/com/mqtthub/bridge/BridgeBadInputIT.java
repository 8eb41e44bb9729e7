package com.mqtthub.bridge;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bridges that cannot work: nothing listens at the address, the remote refuses the password,
 * the remote speaks no TLS. Each shows a clear state, logs it once, retries at the back-off's
 * pace (no storm) and keeps its queue.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class BridgeBadInputIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static Mosquitto remote;

	private static int closedPort;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private BridgeService bridges;

	@BeforeAll
	static void startRemote() throws Exception {
		remote = Mosquitto.startForTest("bridge:right");
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
	}

	@AfterAll
	static void stopRemote() throws Exception {
		Mosquitto.closeIfStarted(remote);
	}

	@DynamicPropertySource
	static void bridges(DynamicPropertyRegistry registry) {
		bridge(registry, 0, "nowhere", () -> "tcp://127.0.0.1:" + closedPort);
		bridge(registry, 1, "refused", () -> remote.uri());
		registry.add("mqtthub.bridges[1].username", () -> "bridge");
		registry.add("mqtthub.bridges[1].password", () -> "wrong");
		bridge(registry, 2, "plain", () -> "ssl://127.0.0.1:" + remote.port());
	}

	private static void bridge(DynamicPropertyRegistry registry, int index, String name,
			java.util.function.Supplier<Object> address) {
		String at = "mqtthub.bridges[" + index + "].";
		registry.add(at + "name", () -> name);
		registry.add(at + "addresses[0]", address);
		registry.add(at + "reconnect.initial-delay", () -> "200ms");
		registry.add(at + "reconnect.max-delay", () -> "1s");
		registry.add(at + "connect-timeout", () -> "2s");
		registry.add(at + "topics[0].filter", () -> "bad/#");
	}

	private BridgeLink awaitBackingOff(String name) throws InterruptedException {
		BridgeLink link = this.bridges.link(name).orElseThrow();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while ((link.state() != BridgeState.BACKING_OFF || link.attempts() < 2) && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(link.state()).as(name).isEqualTo(BridgeState.BACKING_OFF);
		return link;
	}

	@Test
	void eachFailureHasAClearStateLoggedOnceWithoutARetryStorm(CapturedOutput output) throws Exception {
		Map<String, String> expected = Map.of("nowhere", "cannot reach the remote", "refused",
				"the remote refused the user name or password", "plain", "the connection failed, a TLS or protocol mismatch?");
		for (Map.Entry<String, String> bridge : expected.entrySet()) {
			BridgeLink link = awaitBackingOff(bridge.getKey());
			assertThat(link.lastError()).as(bridge.getKey()).startsWith(bridge.getValue());
		}
		long before = this.bridges.link("refused").orElseThrow().attempts();
		int logged = output.getOut().length();
		Thread.sleep(3000);
		long during = this.bridges.link("refused").orElseThrow().attempts() - before;
		// The back-off waits 0.5 to 1 s between attempts at its cap: at most 7 in 3 s, not hundreds.
		assertThat(during).isBetween(1L, 7L);
		assertThat(output.getOut().substring(logged)).as("the same failure again is not logged again")
			.doesNotContain("Bridge 'refused'");
		assertThat(output.getOut()).doesNotContain("wrong");
	}

	@Test
	void messagesWaitInTheQueueOfEveryFailingBridge() throws Exception {
		try (MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"bad-input-publisher")) {
			long[] before = new long[3];
			String[] names = { "nowhere", "refused", "plain" };
			for (int i = 0; i < names.length; i++) {
				before[i] = this.bridges.link(names[i]).orElseThrow().queue().size();
			}
			for (int i = 0; i < 5; i++) {
				publisher.publish("bad/" + i, "kept " + i, 1, false);
			}
			// In the queue as soon as the hub acknowledged each message, not later.
			for (int i = 0; i < names.length; i++) {
				assertThat(this.bridges.link(names[i]).orElseThrow().queue().size()).as(names[i])
					.isEqualTo(before[i] + 5);
			}
		}
	}

}

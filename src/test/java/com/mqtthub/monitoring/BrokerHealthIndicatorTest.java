package com.mqtthub.monitoring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.BrokerProperties;
import com.mqtthub.broker.ConnectCheckLimits;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.MqttAuthenticator;
import com.mqtthub.broker.MqttAuthorizer;
import com.mqtthub.testing.RawMqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's health with a real broker: UP while every session loop of the engine answers its
 * probe; DOWN, naming the loop and how long it has not answered, while a loop is blocked (here a
 * read check that does not return, asked on the publisher's loop while the engine routes a
 * message); UP again once it answers.
 */
class BrokerHealthIndicatorTest {

	private static final String BLOCKING_TOPIC = "block/now";

	@TempDir
	Path data;

	private final CountDownLatch release = new CountDownLatch(1);

	private final CompletableFuture<String> blockedLoop = new CompletableFuture<>();

	private EmbeddedBroker broker;

	private BrokerHealthIndicator health;

	@BeforeEach
	void start() {
		BrokerProperties properties = new BrokerProperties();
		properties.setHost("127.0.0.1");
		properties.setPort(0);
		properties.getWebsocket().setEnabled(false);
		properties.setPersistence(false);
		properties.setDataDirectory(this.data);
		properties.setLoopProbeTimeout(Duration.ofMillis(500));
		this.broker = new EmbeddedBroker(properties, new LetEveryoneIn(), new BlockingReadCheck());
		this.broker.start();
		this.health = new BrokerHealthIndicator(this.broker);
	}

	@AfterEach
	void stop() {
		this.release.countDown();
		this.broker.stop();
	}

	@Test
	@SuppressWarnings("unchecked")
	void downWhileASessionLoopDoesNotAnswerAndUpAgainAfterwards() throws Exception {
		assertThat(eventually(Status.UP)).isTrue();
		assertThat(this.health.health().getDetails()).containsEntry("sessionLoops",
				Runtime.getRuntime().availableProcessors());

		try (RawMqttClient subscriber = client("subscriber"); RawMqttClient publisher = client("publisher")) {
			assertThat(subscriber.subscribeAndAwait(1, "block/#", 0)).containsExactly(0);
			publisher.publish(BLOCKING_TOPIC, "stuck", 0, false, 0, false);
			String loop = this.blockedLoop.get(10, TimeUnit.SECONDS);

			assertThat(eventually(Status.DOWN)).as("DOWN while " + loop + " is blocked").isTrue();
			Health down = this.health.health();
			System.out.println("Health while a loop is blocked: " + down);
			assertThat(down.getDetails()).containsKey("stuckSessionLoops");
			assertThat((Map<Object, Object>) down.getDetails().get("stuckSessionLoops")).containsOnlyKeys(loop);
			assertThat(down.getDetails().get("reason")).asString()
				.startsWith(loop + " has not answered a probe for ")
				.endsWith(" ms (timeout 500 ms)");

			this.release.countDown();
			assertThat(eventually(Status.UP)).as("UP once it answers").isTrue();
			assertThat(subscriber.read().payload()).isEqualTo("stuck");
		}
	}

	private RawMqttClient client(String clientId) throws Exception {
		RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort());
		assertThat(client.connect(new RawMqttClient.Connect(clientId).credentials("user", "password"))).isZero();
		return client;
	}

	/** Whether the health has {@code status} within 10 seconds. */
	private boolean eventually(Status status) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!status.equals(this.health.health().getStatus())) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(50);
		}
		return true;
	}

	private static final class LetEveryoneIn implements MqttAuthenticator {

		@Override
		public boolean allowsAnonymous() {
			return false;
		}

		@Override
		public Precheck precheck(String clientId, String username, byte[] password, String remoteAddress) {
			return Precheck.ACCEPT;
		}

		@Override
		public boolean authenticate(String clientId, String username, byte[] password, String remoteAddress) {
			return true;
		}

		@Override
		public ConnectCheckLimits limits() {
			return new ConnectCheckLimits(1, 8, 100, 100, 100, 100);
		}

	}

	/** Allows everything; the read check of {@value #BLOCKING_TOPIC} waits until the test releases it. */
	private final class BlockingReadCheck implements MqttAuthorizer {

		@Override
		public boolean canPublish(String username, String clientId, String topic) {
			return true;
		}

		@Override
		public boolean canSubscribe(String username, String clientId, String topicFilter) {
			return true;
		}

		@Override
		public boolean canRead(String username, String clientId, String topic) {
			if (BLOCKING_TOPIC.equals(topic)) {
				BrokerHealthIndicatorTest.this.blockedLoop.complete(Thread.currentThread().getName());
				try {
					BrokerHealthIndicatorTest.this.release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return true;
		}

	}

}

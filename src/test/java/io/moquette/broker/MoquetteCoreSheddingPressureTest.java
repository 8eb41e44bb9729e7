package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine asks for a QoS 0 publisher to be held back only when every connected subscriber
 * of its message is behind: one subscriber that can take it is enough to go on, and neither
 * QoS 1 messages (held back by the queues instead), a client's own subscription nor a
 * subscriber without connection counts as one behind.
 */
class MoquetteCoreSheddingPressureTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** How long to wait for a request that must not come. */
	private static final Duration NOTHING = Duration.ofMillis(300);

	@TempDir
	Path data;

	private MoquetteCore core;

	/** Subscriber connections the test says are behind. */
	private final Set<Channel> behind = ConcurrentHashMap.newKeySet();

	/** Subscriber connections the test says stopped taking messages: they hold nobody back. */
	private final Set<Channel> stalled = ConcurrentHashMap.newKeySet();

	/** Each request to hold a publisher back: {publisher, subscriber}. */
	private final BlockingQueue<Channel[]> pressed = new LinkedBlockingQueue<>();

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
		this.core.pressSheddingPublishers(new MoquetteCore.SheddingPressure() {

			@Override
			public boolean behind(Channel subscriber) {
				return MoquetteCoreSheddingPressureTest.this.behind.contains(subscriber);
			}

			@Override
			public boolean press(Channel publisher, Channel subscriber) {
				if (MoquetteCoreSheddingPressureTest.this.stalled.contains(subscriber)) {
					return false;
				}
				MoquetteCoreSheddingPressureTest.this.pressed.add(new Channel[] { publisher, subscriber });
				return true;
			}

		});
	}

	@AfterEach
	void stop() {
		this.core.stop();
	}

	@Test
	void aQosZeroPublisherIsPressedOnlyWhenEveryConnectedSubscriberSheds() throws Exception {
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);
		EmbeddedChannel first = EngineClients.connected(this.core, "first", true, WAIT);
		EmbeddedChannel second = EngineClients.connected(this.core, "second", false, WAIT);
		try {
			subscribe(first, "sensors/#");
			subscribe(second, "sensors/+");
			publish(publisher, MqttQoS.AT_MOST_ONCE, 1);
			receive(first);
			receive(second);
			assertThat(pressedWithin(NOTHING)).as("both take it").isNull();

			this.behind.add(first);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 2);
			receive(second);
			assertThat(pressedWithin(NOTHING)).as("the second takes it").isNull();

			this.behind.add(second);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 3);
			assertThat(pressedWithin(WAIT)).as("nobody takes it").isNotNull().satisfies((request) -> {
				assertThat(request[0]).isSameAs(publisher);
				assertThat(request[1]).isIn(first, second);
			});

			// Whichever of the two stopped taking messages, the other holds the publisher back.
			this.stalled.add(first);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 31);
			assertThat(pressedWithin(WAIT)).as("held back for the second").isNotNull()
				.satisfies((request) -> assertThat(request[1]).isSameAs(second));
			this.stalled.clear();
			this.stalled.add(second);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 32);
			assertThat(pressedWithin(WAIT)).as("held back for the first").isNotNull()
				.satisfies((request) -> assertThat(request[1]).isSameAs(first));
			this.stalled.add(first);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 33);
			assertThat(pressedWithin(NOTHING)).as("both stopped taking messages").isNull();
			this.stalled.clear();

			publish(publisher, MqttQoS.AT_LEAST_ONCE, 4);
			assertThat(pressedWithin(NOTHING)).as("QoS 1: the subscribers' queues hold publishers back").isNull();

			// The second leaves; its session stays, without a connection to be behind on.
			second.writeInbound(MqttMessageBuilders.disconnect().build());
			second.runPendingTasks();
			this.behind.remove(first);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 5);
			assertThat(pressedWithin(NOTHING)).as("the first takes it").isNull();
			this.behind.add(first);
			publish(publisher, MqttQoS.AT_MOST_ONCE, 6);
			Channel[] request = pressedWithin(WAIT);
			assertThat(request).as("the only connected subscriber sheds").isNotNull();
			assertThat(request[1]).isSameAs(first);

			subscribe(publisher, "sensors/temperature");
			publish(publisher, MqttQoS.AT_MOST_ONCE, 7);
			assertThat(pressedWithin(NOTHING)).as("the publisher subscribes to it itself").isNull();
		}
		finally {
			publisher.finishAndReleaseAll();
			first.finishAndReleaseAll();
			second.finishAndReleaseAll();
		}
	}

	private Channel[] pressedWithin(Duration wait) throws InterruptedException {
		return this.pressed.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
	}

	private static void subscribe(EmbeddedChannel client, String filter) throws InterruptedException {
		client.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_MOST_ONCE, filter)
			.build());
		ReferenceCountUtil.release(EngineClients.awaitOutbound(client, MqttSubAckMessage.class, WAIT));
	}

	private static void publish(EmbeddedChannel publisher, MqttQoS qos, int number) {
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("sensors/temperature").qos(qos)
			.messageId(qos == MqttQoS.AT_MOST_ONCE ? 0 : number)
			.payload(Unpooled.wrappedBuffer(new byte[] { (byte) number }))
			.build());
	}

	private static void receive(EmbeddedChannel client) throws InterruptedException {
		ReferenceCountUtil.release(EngineClients.awaitOutbound(client, MqttPublishMessage.class, WAIT));
	}

}

package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine names the publisher of each message that takes a connected subscriber's queue
 * above the high-water mark, at QoS 1 (routed from the publisher's session loop) and at QoS 2
 * (routed from the callback that completes its first step), and lets go once that queue is
 * down at the low-water mark.
 */
class MoquetteCorePublisherPressureTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** Messages the engine sends a subscriber before it queues the next ones. */
	private static final int IN_FLIGHT = 10;

	@TempDir
	Path data;

	private MoquetteCore core;

	private final LinkedBlockingQueue<String> asked = new LinkedBlockingQueue<>();

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
	}

	@AfterEach
	void stop() {
		this.core.stop();
	}

	private void pressRecorded(Channel publisherOne, Channel publisherTwo, Channel subscriber) {
		this.core.pressPublishers(2, Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Duration.ofMinutes(1),
				new MoquetteCore.PublisherPressure() {

					@Override
					public void press(Channel publisher, Channel pressing) {
						String who = (publisher == publisherOne) ? "one" : (publisher == publisherTwo) ? "two" : "?";
						MoquetteCorePublisherPressureTest.this.asked
							.add("press " + who + ((pressing == subscriber) ? " by subscriber" : " by ?"));
					}

					@Override
					public void relieve(Channel pressing) {
						MoquetteCorePublisherPressureTest.this.asked
							.add("relieve" + ((pressing == subscriber) ? " by subscriber" : " by ?"));
					}

				});
	}

	@Test
	void thePublisherOfEachMessageAboveTheHighWaterMarkIsNamedAtQosOneAndTwo() throws Exception {
		EmbeddedChannel subscriber = connected("subscriber");
		EmbeddedChannel one = connected("one");
		EmbeddedChannel two = connected("two");
		pressRecorded(one, two, subscriber);
		subscriber.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.EXACTLY_ONCE, "t")
			.build());
		awaitOutbound(subscriber, MqttSubAckMessage.class);

		// The subscriber acknowledges nothing: ten in flight, then two queued, then above the mark.
		for (int i = 1; i <= IN_FLIGHT + 2; i++) {
			one.writeInbound(publish(MqttQoS.AT_LEAST_ONCE, i));
		}
		one.writeInbound(publish(MqttQoS.AT_LEAST_ONCE, 100));
		assertThat(take()).isEqualTo("press one by subscriber");
		two.writeInbound(publish(MqttQoS.EXACTLY_ONCE, 200));
		assertThat(take()).isEqualTo("press two by subscriber");

		// It acknowledges what is in flight: the queue drains into the window, down to the low mark.
		for (int packetId = 1; packetId <= IN_FLIGHT; packetId++) {
			subscriber.writeInbound(MqttMessageBuilders.pubAck().packetId(packetId).build());
		}
		assertThat(take()).as("its queue emptied").isEqualTo("relieve by subscriber");
		for (EmbeddedChannel channel : List.of(subscriber, one, two)) {
			channel.finishAndReleaseAll();
		}
	}

	private static io.netty.handler.codec.mqtt.MqttPublishMessage publish(MqttQoS qos, int id) {
		return MqttMessageBuilders.publish().topicName("t").qos(qos).messageId(id)
			.payload(Unpooled.wrappedBuffer(new byte[] { 1 })).build();
	}

	private EmbeddedChannel connected(String clientId) throws InterruptedException {
		return EngineClients.connected(this.core, clientId, false, WAIT);
	}

	private String take() throws InterruptedException {
		String next = this.asked.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(next).as("asked within " + WAIT).isNotNull();
		return next;
	}

	private static void awaitOutbound(EmbeddedChannel channel, Class<?> type) throws InterruptedException {
		ReferenceCountUtil.release(EngineClients.awaitOutbound(channel, type, WAIT));
	}

}

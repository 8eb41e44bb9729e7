package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine remembers which subscriptions match a topic between messages; every change of the
 * subscriptions must show in the very next message to that topic: a new subscriber gets it
 * (MQTT-3.8.4-3: a SUBACK means the subscription is in place), one that unsubscribed or left
 * does not (MQTT-3.10.4-2), and a subscription's new QoS applies.
 */
class MoquetteCoreSubscriptionChangesTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** How long to wait for a message that must not come. */
	private static final Duration NOTHING = Duration.ofMillis(500);

	@TempDir
	Path data;

	private MoquetteCore core;

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
	}

	@AfterEach
	void stop() {
		this.core.stop();
	}

	@Test
	void everyChangeOfTheSubscriptionsShowsInTheNextMessage() throws Exception {
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);
		EmbeddedChannel first = EngineClients.connected(this.core, "first", true, WAIT);
		EmbeddedChannel second = EngineClients.connected(this.core, "second", true, WAIT);
		try {
			subscribe(first, "devices/+/temperature", MqttQoS.AT_MOST_ONCE);
			publish(publisher, 1);
			assertThat(received(first)).isEqualTo(MqttQoS.AT_MOST_ONCE);
			publish(publisher, 2);
			assertThat(received(first)).as("the same topic again").isEqualTo(MqttQoS.AT_MOST_ONCE);

			subscribe(second, "devices/#", MqttQoS.AT_LEAST_ONCE);
			publish(publisher, 3);
			assertThat(received(first)).isEqualTo(MqttQoS.AT_MOST_ONCE);
			assertThat(received(second)).as("subscribed after the topic was looked up").isEqualTo(MqttQoS.AT_LEAST_ONCE);

			subscribe(first, "devices/+/temperature", MqttQoS.AT_LEAST_ONCE);
			publish(publisher, 4);
			assertThat(received(first)).as("its subscription's new QoS").isEqualTo(MqttQoS.AT_LEAST_ONCE);
			assertThat(received(second)).isEqualTo(MqttQoS.AT_LEAST_ONCE);

			first.writeInbound(MqttMessageBuilders.unsubscribe().messageId(9).addTopicFilter("devices/+/temperature")
				.build());
			ReferenceCountUtil.release(EngineClients.awaitOutbound(first, MqttUnsubAckMessage.class, WAIT));
			publish(publisher, 5);
			assertThat(received(second)).isEqualTo(MqttQoS.AT_LEAST_ONCE);
			assertThat(EngineClients.sendsWithin(first, MqttPublishMessage.class, NOTHING)).as("unsubscribed")
				.isFalse();

			second.writeInbound(MqttMessageBuilders.disconnect().build());
			second.runPendingTasks();
			EmbeddedChannel third = EngineClients.connected(this.core, "third", true, WAIT);
			subscribe(third, "devices/kitchen/temperature", MqttQoS.AT_MOST_ONCE);
			publish(publisher, 6);
			assertThat(received(third)).isEqualTo(MqttQoS.AT_MOST_ONCE);
			assertThat(EngineClients.sendsWithin(second, MqttPublishMessage.class, NOTHING)).as("its session ended")
				.isFalse();
			third.finishAndReleaseAll();
		}
		finally {
			publisher.finishAndReleaseAll();
			first.finishAndReleaseAll();
			second.finishAndReleaseAll();
		}
	}

	private static void subscribe(EmbeddedChannel client, String filter, MqttQoS qos) throws InterruptedException {
		client.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, filter).build());
		ReferenceCountUtil.release(EngineClients.awaitOutbound(client, MqttSubAckMessage.class, WAIT));
	}

	/** A QoS 1 message: each subscriber gets it at its subscription's QoS. */
	private static void publish(EmbeddedChannel publisher, int number) {
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("devices/kitchen/temperature")
			.qos(MqttQoS.AT_LEAST_ONCE).messageId(number).payload(Unpooled.wrappedBuffer(new byte[] { (byte) number }))
			.build());
	}

	/** The QoS of the next message the client gets. */
	private static MqttQoS received(EmbeddedChannel client) throws InterruptedException {
		MqttPublishMessage message = EngineClients.awaitOutbound(client, MqttPublishMessage.class, WAIT);
		try {
			return message.fixedHeader().qosLevel();
		}
		finally {
			ReferenceCountUtil.release(message);
		}
	}

}

package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
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
 * The engine takes a QoS 1 message into its in-flight window, then drops its write when the
 * channel has filled up in between; left alone, it goes out with the resend tick, 5 to 10 s
 * later and after newer messages. {@link MoquetteCore#sendDroppedWrites} writes it at once, and
 * nothing the client may already have.
 */
class MoquetteCoreDroppedWritesTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

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
	void aMessageWhoseWriteTheEngineDroppedIsWrittenWhenTheChannelIsWritableAgain() throws Exception {
		ScriptedWritability subscriber = subscribedAtQos1();
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);

		// Writable when the engine decides to send the first message, full when it writes it.
		subscriber.answers(true, false);
		publish(publisher, 1);
		subscriber.awaitAnswered();
		publish(publisher, 2);
		MqttPublishMessage second = EngineClients.awaitOutbound(subscriber, MqttPublishMessage.class, WAIT);
		Set<Integer> written = new HashSet<>();
		written.add(second.variableHeader().packetId());
		assertThat(second.payload().getByte(0)).as("the first write was dropped").isEqualTo((byte) 2);
		ReferenceCountUtil.release(second);

		long asked = System.nanoTime();
		this.core.sendDroppedWrites(subscriber, written::contains);
		MqttPublishMessage first = EngineClients.awaitOutbound(subscriber, MqttPublishMessage.class, WAIT);
		try {
			assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("long before the resend tick")
				.isLessThan(Duration.ofSeconds(4));
			assertThat(first.payload().getByte(0)).isEqualTo((byte) 1);
			assertThat(first.fixedHeader().qosLevel()).isEqualTo(MqttQoS.AT_LEAST_ONCE);
			assertThat(first.fixedHeader().isDup()).as("never sent before").isFalse();
			assertThat(written).doesNotContain(first.variableHeader().packetId());
		}
		finally {
			ReferenceCountUtil.release(first);
		}
		// The second message, which the client has, is not written again.
		Thread.sleep(300);
		subscriber.runPendingTasks();
		assertThat((Object) subscriber.readOutbound()).isNull();
		subscriber.finishAndReleaseAll();
		publisher.finishAndReleaseAll();
	}

	@Test
	void nothingIsWrittenWhenNoWriteWasDropped() throws Exception {
		ScriptedWritability subscriber = subscribedAtQos1();
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);
		publish(publisher, 1);
		MqttPublishMessage only = EngineClients.awaitOutbound(subscriber, MqttPublishMessage.class, WAIT);
		int id = only.variableHeader().packetId();
		ReferenceCountUtil.release(only);

		this.core.sendDroppedWrites(subscriber, (packetId) -> packetId == id);
		Thread.sleep(300);
		subscriber.runPendingTasks();
		assertThat((Object) subscriber.readOutbound()).isNull();
		subscriber.finishAndReleaseAll();
		publisher.finishAndReleaseAll();
	}

	/** A client subscribed to "t" at QoS 1, on a channel whose writability the test can script. */
	private ScriptedWritability subscribedAtQos1() throws InterruptedException {
		ScriptedWritability subscriber = EngineClients.connect(new ScriptedWritability(this.core.mqttHandler()),
				"subscriber", true, WAIT);
		subscriber.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t")
			.build());
		ReferenceCountUtil.release(EngineClients.awaitOutbound(subscriber, MqttSubAckMessage.class, WAIT));
		return subscriber;
	}

	private static void publish(EmbeddedChannel publisher, int number) {
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE)
			.messageId(number).payload(Unpooled.wrappedBuffer(new byte[] { (byte) number })).build());
	}

	/** A channel whose next answers to "writable?" are scripted (the engine asks from its loop). */
	private static final class ScriptedWritability extends EmbeddedChannel {

		private final Deque<Boolean> answers = new ArrayDeque<>();

		ScriptedWritability(ChannelHandler handler) {
			super(handler);
		}

		synchronized void answers(Boolean... next) {
			this.answers.addAll(List.of(next));
		}

		void awaitAnswered() throws InterruptedException {
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (System.nanoTime() < deadline) {
				synchronized (this) {
					if (this.answers.isEmpty()) {
						return;
					}
				}
				Thread.sleep(5);
			}
			throw new AssertionError("The engine did not look at the channel's writability");
		}

		@Override
		public boolean isWritable() {
			synchronized (this) {
				Boolean next = this.answers.poll();
				if (next != null) {
					return next;
				}
			}
			return super.isWritable();
		}

	}

}

package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's notification of a PUBLISH (retained messages, monitoring, publish taps) runs in
 * the session-loop command that routed it, not on a thread of its own: once a client's session
 * loop has run its commands, every message they routed has been notified, so commits and the
 * probes that pace publishers wait for one queue only, and no PUBLISH costs another thread's
 * wake-up. A handler that fails does not undo the routing.
 */
class MoquetteCoreNotificationsTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path data;

	private MoquetteCore core;

	@AfterEach
	void stop() {
		if (this.core != null) {
			this.core.stop();
		}
	}

	@Test
	void aPublishIsNotifiedOnItsSessionLoopBeforeTheClientsNextCommand() throws Exception {
		Queue<String> notified = new ConcurrentLinkedQueue<>();
		AtomicReference<Thread> notifiedOn = new AtomicReference<>();
		this.core = InMemoryCores.start(this.data, List.of(publishes((message) -> {
			notifiedOn.set(Thread.currentThread());
			notified.add(message.getTopicName());
		})));
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);
		try {
			for (int i = 1; i <= 20; i++) {
				publish(publisher, "sensors/" + i, i);
				CountDownLatch probed = new CountDownLatch(1);
				AtomicReference<List<String>> seen = new AtomicReference<>();
				AtomicReference<Thread> probedOn = new AtomicReference<>();
				assertThat(this.core.afterQueuedCommands("publisher", () -> {
					seen.set(List.copyOf(notified));
					probedOn.set(Thread.currentThread());
					probed.countDown();
				})).isTrue();
				assertThat(probed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
				assertThat(seen.get()).as("notified before the next command").hasSize(i).last().isEqualTo("sensors/" + i);
				assertThat(notifiedOn.get()).as("on the session loop").isSameAs(probedOn.get());
			}
		}
		finally {
			publisher.finishAndReleaseAll();
		}
	}

	@Test
	void aFailingHandlerDoesNotStopTheMessage() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of(publishes((message) -> {
			throw new IllegalStateException("a handler's own failure");
		})));
		EmbeddedChannel publisher = EngineClients.connected(this.core, "publisher", true, WAIT);
		try {
			publish(publisher, "sensors/1", 7);
			MqttPubAckMessage ack = EngineClients.awaitOutbound(publisher, MqttPubAckMessage.class, WAIT);
			assertThat(ack.variableHeader().messageId()).isEqualTo(7);
			ReferenceCountUtil.release(ack);
			publish(publisher, "sensors/1", 8);
			ack = EngineClients.awaitOutbound(publisher, MqttPubAckMessage.class, WAIT);
			assertThat(ack.variableHeader().messageId()).as("the session loop goes on").isEqualTo(8);
		}
		finally {
			publisher.finishAndReleaseAll();
		}
	}

	private static void publish(EmbeddedChannel publisher, String topic, int id) {
		publisher.writeInbound(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(id)
			.payload(Unpooled.wrappedBuffer(new byte[] { (byte) id })).build());
	}

	private static AbstractInterceptHandler publishes(java.util.function.Consumer<InterceptPublishMessage> action) {
		return new AbstractInterceptHandler() {

			@Override
			public String getID() {
				return "test-publishes";
			}

			@Override
			public Class<?>[] getInterceptedMessageTypes() {
				return new Class<?>[] { InterceptPublishMessage.class };
			}

			@Override
			public void onPublish(InterceptPublishMessage message) {
				try {
					action.accept(message);
				}
				finally {
					ReferenceCountUtil.release(message.getPayload());
				}
			}

			@Override
			public void onSessionLoopError(Throwable error) {
			}

		};
	}

}

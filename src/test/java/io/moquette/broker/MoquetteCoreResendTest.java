package io.moquette.broker;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
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
 * The engine resends a QoS 1 message its subscriber has not acknowledged (every 5 s, with DUP
 * and the same packet id); the hub has it done on the session's loop, where acknowledgements
 * release messages, rather than on the network thread, which raced with them.
 */
class MoquetteCoreResendTest {

	/** The engine's resend period is 5 s; a message may wait for two periods and a bit. */
	private static final Duration WAIT = Duration.ofSeconds(14);

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
	void anUnacknowledgedMessageIsSentAgainWithDupAndItsPacketId() throws Exception {
		EmbeddedChannel subscriber = connected("subscriber");
		EmbeddedChannel publisher = connected("publisher");
		subscriber.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t")
			.build());
		ReferenceCountUtil.release(awaitOutbound(subscriber, MqttSubAckMessage.class));
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(7)
			.payload(Unpooled.wrappedBuffer(new byte[] { 42 })).build());

		MqttPublishMessage first = awaitOutbound(subscriber, MqttPublishMessage.class);
		MqttPublishMessage again = awaitOutbound(subscriber, MqttPublishMessage.class);
		try {
			assertThat(first.fixedHeader().isDup()).isFalse();
			assertThat(again.fixedHeader().isDup()).isTrue();
			assertThat(again.variableHeader().packetId()).isEqualTo(first.variableHeader().packetId());
			assertThat(again.payload().getByte(0)).isEqualTo((byte) 42);
		}
		finally {
			ReferenceCountUtil.release(first);
			ReferenceCountUtil.release(again);
			subscriber.finishAndReleaseAll();
			publisher.finishAndReleaseAll();
		}
	}

	/**
	 * The engine notes each message's packet id when it sends it and, every 5 s, sends again what
	 * the window holds under each id noted more than 5 s earlier. An id acknowledged and then taken
	 * by a newer message (a fast subscriber goes through all ids in seconds) made that newer
	 * message go out a second time at once.
	 */
	@Test
	void aMessageThatTookTheIdOfAnAcknowledgedOneWaitsItsOwnTimeBeforeItIsSentAgain() throws Exception {
		EmbeddedChannel subscriber = connected("subscriber");
		long connected = System.nanoTime();
		EmbeddedChannel publisher = connected("publisher");
		subscriber.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t")
			.build());
		ReferenceCountUtil.release(awaitOutbound(subscriber, MqttSubAckMessage.class));
		this.core.continuePacketIdsAfter(subscriber, 100);
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(7)
			.payload(Unpooled.wrappedBuffer(new byte[] { 1 })).build());
		MqttPublishMessage first = awaitOutbound(subscriber, MqttPublishMessage.class);
		int id = first.variableHeader().packetId();
		ReferenceCountUtil.release(first);
		subscriber.writeInbound(MqttMessageBuilders.pubAck().packetId(id).build());

		// Between the first resend tick (5 s after the connection) and the second, when the note
		// of the first message is due: the next message takes the same id.
		while (System.nanoTime() - connected < Duration.ofMillis(7500).toNanos()) {
			subscriber.runPendingTasks();
			ReferenceCountUtil.release(subscriber.readOutbound());
			Thread.sleep(10);
		}
		this.core.continuePacketIdsAfter(subscriber, 100);
		publisher.writeInbound(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(8)
			.payload(Unpooled.wrappedBuffer(new byte[] { 2 })).build());
		MqttPublishMessage second = awaitOutbound(subscriber, MqttPublishMessage.class);
		long sent = System.nanoTime();
		MqttPublishMessage again = awaitOutbound(subscriber, MqttPublishMessage.class);
		long after = System.nanoTime() - sent;
		try {
			assertThat(second.variableHeader().packetId()).isEqualTo(id);
			assertThat(again.fixedHeader().isDup()).isTrue();
			assertThat(again.variableHeader().packetId()).isEqualTo(id);
			assertThat(again.payload().getByte(0)).isEqualTo((byte) 2);
			assertThat(Duration.ofNanos(after)).as("sent again only after its own 5 s")
				.isGreaterThanOrEqualTo(Duration.ofMillis(4500));
		}
		finally {
			ReferenceCountUtil.release(second);
			ReferenceCountUtil.release(again);
			subscriber.finishAndReleaseAll();
			publisher.finishAndReleaseAll();
		}
	}

	/**
	 * The hub's sweep asks for a resend only where the engine has something noted: an idle
	 * connection's tick costs no event and no command on the session loop, and an unacknowledged
	 * message is still sent again.
	 */
	@Test
	void onlyASessionWithSomethingUnacknowledgedMayResend() throws Exception {
		EmbeddedChannel subscriber = connected("subscriber");
		EmbeddedChannel publisher = connected("publisher");
		// As the hub does: no engine timer, only explicit resends.
		assertThat(MoquetteCore.takeOverConnectionTimers(subscriber)).isTrue();
		subscriber.writeInbound(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "t")
			.build());
		ReferenceCountUtil.release(awaitOutbound(subscriber, MqttSubAckMessage.class));
		// As the hub does after the CONNECT: the subscriber's timers are now made on first use.
		CountDownLatch capped = new CountDownLatch(1);
		assertThat(this.core.afterQueuedCommands("subscriber", () -> {
			this.core.capSessionQueue("subscriber");
			capped.countDown();
		})).isTrue();
		assertThat(capped.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
		assertThat(timers("subscriber")).isInstanceOf(EmptyUntilUsed.LazyDelayQueue.class);
		assertThat(timers("publisher")).isNotInstanceOf(EmptyUntilUsed.LazyDelayQueue.class);
		assertThat(this.core.mayResend(subscriber)).isFalse();
		assertThat(this.core.mayResend(publisher)).isFalse();

		publisher.writeInbound(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(7)
			.payload(Unpooled.wrappedBuffer(new byte[] { 42 })).build());
		MqttPublishMessage first = awaitOutbound(subscriber, MqttPublishMessage.class);
		int id = first.variableHeader().packetId();
		ReferenceCountUtil.release(first);
		assertThat(this.core.mayResend(subscriber)).isTrue();
		assertThat(this.core.mayResend(publisher)).isFalse();

		// Its note is due after 5 s; then the resend sends it again.
		Thread.sleep(5100);
		MoquetteCore.resendUnacknowledged(subscriber);
		MqttPublishMessage again = awaitOutbound(subscriber, MqttPublishMessage.class);
		try {
			assertThat(again.fixedHeader().isDup()).isTrue();
			assertThat(again.variableHeader().packetId()).isEqualTo(id);
		}
		finally {
			ReferenceCountUtil.release(again);
		}
		subscriber.writeInbound(MqttMessageBuilders.pubAck().packetId(id).build());
		// The acknowledged message's note is dropped at the next resend; nothing is left to do.
		Thread.sleep(5100);
		MoquetteCore.resendUnacknowledged(subscriber);
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (this.core.mayResend(subscriber) && System.nanoTime() < deadline) {
			subscriber.runPendingTasks();
			Thread.sleep(10);
		}
		assertThat(this.core.mayResend(subscriber)).isFalse();
		subscriber.runPendingTasks();
		assertThat((Object) subscriber.readOutbound()).isNull();
		subscriber.finishAndReleaseAll();
		publisher.finishAndReleaseAll();
	}

	private EmbeddedChannel connected(String clientId) throws InterruptedException {
		return EngineClients.connected(this.core, clientId, true, WAIT);
	}

	private static <T> T awaitOutbound(EmbeddedChannel channel, Class<T> type) throws InterruptedException {
		return EngineClients.awaitOutbound(channel, type, WAIT);
	}

	/** The in-flight timers of a session, as the engine's field holds them. */
	private Object timers(String clientId) throws ReflectiveOperationException {
		Field sessions = MoquetteCore.class.getDeclaredField("sessions");
		sessions.setAccessible(true);
		Session session = ((SessionRegistry) sessions.get(this.core)).retrieve(clientId);
		Field timers = Session.class.getDeclaredField("inflightTimeouts");
		timers.setAccessible(true);
		return timers.get(session);
	}

}

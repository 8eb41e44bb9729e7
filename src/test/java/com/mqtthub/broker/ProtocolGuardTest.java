package com.mqtthub.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mqtthub.security.RateLimitedLog;
import io.moquette.broker.InMemoryCores;
import io.moquette.broker.MoquetteCore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CONNECT handshake of {@link ProtocolGuard} and the answers it writes for the engine, in front
 * of a real engine started in memory, behind {@link ConnectionSlot} and {@link PacketRules} as
 * {@link MqttListeners} wires them.
 * <p>
 * The credentials are checked on a pool and the engine answers from its session loops, while an
 * {@link EmbeddedChannel} is meant for one thread (its loop takes every thread for its own, so a
 * write from another thread would run into the channel at once). So the handlers run on
 * {@link TestLoop}: other threads only queue work there (a write of the engine, the answer of a
 * check), and the test's thread runs it while it waits for an answer; the channel is only ever
 * touched by that thread.
 */
class ProtocolGuardTest {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PASSWORD = "secret";

	@TempDir
	Path data;

	private MoquetteCore core;

	private ConnectionServices services;

	private SessionOwners owners;

	/** Closed while a test holds credential checks back; open otherwise. */
	private volatile CountDownLatch checks = new CountDownLatch(0);

	/** Credential checks started, and finished. */
	private final AtomicInteger checked = new AtomicInteger();

	private final AtomicInteger checksDone = new AtomicInteger();

	private final TestLoop loop = new TestLoop();

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
		BrokerProperties properties = new BrokerProperties();
		BrokerLimits limits = new BrokerLimits(properties);
		this.owners = new SessionOwners(new HashMap<>(), Set.of());
		this.services = new ConnectionServices(this.core, new MqttConnectAuthentication(new PasswordCheck()),
				new NoForbiddenPublishes(), new ClientAddresses(), limits, 1024 * 1024, this.owners,
				new InflightStore(new HashMap<>()), new RetainedQuota(new HashMap<>(), properties.getRetained(),
						properties.effectiveRetainedMaxBytes(Runtime.getRuntime().maxMemory()).toBytes(), limits));
	}

	@AfterEach
	void stop() {
		this.checks.countDown();
		this.core.stop();
	}

	/**
	 * MQTT-3.1.0-1: the first packet must be a CONNECT; anything else ends the connection.
	 * {@link PacketRules} decides it in front of the guard, which would otherwise hold the packet.
	 */
	@Test
	void aPacketOtherThanConnectFirstClosesTheConnectionAndTheEngineNeverHearsOfIt() throws Exception {
		EmbeddedChannel channel = newConnection();
		channel.writeInbound(subscribe(1, "a/b"));

		awaitClosed(channel);
		assertThat((Object) channel.readOutbound()).isNull();
		assertThat(this.core.clientIdOf(channel)).isNull();
		channel.finishAndReleaseAll();
	}

	/** MQTT-3.2.2-1, MQTT-3.2.2-3: a clean session is accepted with code 0 and no session present. */
	@Test
	void goodCredentialsAreAcceptedWithConnAckZero() throws Exception {
		EmbeddedChannel channel = newConnection();
		channel.writeInbound(connect("alice", "c1", PASSWORD, true));

		MqttConnAckMessage connAck = awaitOutbound(channel, MqttConnAckMessage.class);
		assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
		assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
		assertThat(channel.isOpen()).isTrue();
		assertThat(this.core.clientIdOf(channel)).isEqualTo("c1");
		assertThat(this.owners.ownerOf("c1")).isEqualTo("alice");
		end(channel, "c1");
	}

	/** MQTT-3.2.2-2: a client that comes back to its stored session is told so. */
	@Test
	void aClientBackToItsPersistentSessionIsToldTheSessionIsPresent() throws Exception {
		EmbeddedChannel first = newConnection();
		first.writeInbound(connect("alice", "c1", PASSWORD, false));
		assertThat(awaitOutbound(first, MqttConnAckMessage.class).variableHeader().isSessionPresent()).isFalse();
		first.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)));
		awaitClosed(first);
		awaitEngine("c1");
		first.finishAndReleaseAll();

		EmbeddedChannel again = newConnection();
		again.writeInbound(connect("alice", "c1", PASSWORD, false));
		MqttConnAckMessage connAck = awaitOutbound(again, MqttConnAckMessage.class);
		assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
		assertThat(connAck.variableHeader().isSessionPresent()).isTrue();
		end(again, "c1");
	}

	/**
	 * MQTT-3.1.0-2: a second CONNECT is a protocol violation that ends the connection (decided by
	 * {@link PacketRules}); the guard does not check credentials again.
	 */
	@Test
	void aSecondConnectClosesTheConnection() throws Exception {
		EmbeddedChannel channel = newConnection();
		channel.writeInbound(connect("alice", "c1", PASSWORD, true));
		awaitOutbound(channel, MqttConnAckMessage.class);
		awaitEngine("c1");

		channel.writeInbound(connect("alice", "c1", PASSWORD, true));
		awaitClosed(channel);
		assertThat(this.checked).as("the second CONNECT was not checked").hasValue(1);
		channel.finishAndReleaseAll();
	}

	/** MQTT-3.2.2-4, MQTT-3.2.2-5: a refusal is one CONNACK, then the server closes the connection. */
	@Test
	void badCredentialsAreRefusedWithConnAckFourAndTheEngineNeverKnewTheConnection() throws Exception {
		EmbeddedChannel channel = newConnection();
		channel.writeInbound(connect("alice", "c1", "wrong", true));

		MqttConnAckMessage connAck = awaitOutbound(channel, MqttConnAckMessage.class);
		assertThat(connAck.variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
		assertThat(connAck.variableHeader().isSessionPresent()).isFalse();
		awaitClosed(channel);
		assertThat(this.core.clientIdOf(channel)).isNull();
		assertThat(this.owners.ownerOf("c1")).isNull();
		assertThat((Object) channel.readOutbound()).isNull();
		channel.finishAndReleaseAll();
	}

	/** MQTT-3.1.2-2: a protocol level other than 3 or 4 gets CONNACK 1, before its credentials are looked at. */
	@Test
	void anUnsupportedProtocolLevelIsRefusedWithConnAckOne() throws Exception {
		EmbeddedChannel channel = newConnection();
		MqttConnectMessage connect = MqttMessageBuilders.connect().clientId("c1").protocolVersion(MqttVersion.MQTT_5)
			.cleanSession(true).username("alice").password(PASSWORD.getBytes(StandardCharsets.UTF_8)).build();
		channel.writeInbound(connect);

		assertThat(awaitOutbound(channel, MqttConnAckMessage.class).variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
		awaitClosed(channel);
		assertThat(this.checked).hasValue(0);
		assertThat(this.core.clientIdOf(channel)).isNull();
		channel.finishAndReleaseAll();
	}

	/**
	 * MQTT-3.1.4-5 (packets after CONNECT may be sent before its CONNACK): what the client sends
	 * right behind its CONNECT waits while the credentials are checked, then reaches the engine
	 * in order, after it accepted the connection.
	 */
	@Test
	void packetsSentRightBehindConnectAreHeldUntilTheConnectionIsAcceptedThenHandledInOrder() throws Exception {
		this.checks = new CountDownLatch(1);
		EmbeddedChannel channel = newConnection();
		channel.writeInbound(connect("alice", "c1", PASSWORD, true), subscribe(1, "a/b"), subscribe(2, "c/d"));

		awaitCheckStarted();
		pump(channel);
		assertThat((Object) channel.readOutbound()).as("nothing answered while checking").isNull();
		assertThat(this.core.clientIdOf(channel)).as("the engine does not know the connection yet").isNull();

		this.checks.countDown();
		assertThat(awaitOutbound(channel, MqttMessage.class).fixedHeader().messageType())
			.isEqualTo(MqttMessageType.CONNACK);
		MqttSubAckMessage first = awaitOutbound(channel, MqttSubAckMessage.class);
		MqttSubAckMessage second = awaitOutbound(channel, MqttSubAckMessage.class);
		assertThat(first.variableHeader().messageId()).isEqualTo(1);
		assertThat(second.variableHeader().messageId()).isEqualTo(2);
		assertThat(this.core.holdsSubscription("c1", "a/b")).isTrue();
		assertThat(this.core.holdsSubscription("c1", "c/d")).isTrue();
		end(channel, "c1");
	}

	/** A will is a publish on the client's behalf: a will topic it may not publish to gets CONNACK 5. */
	@Test
	void aWillTopicTheUserMayNotPublishToIsRefusedWithConnAckFive() throws Exception {
		EmbeddedChannel channel = newConnection();
		MqttConnectMessage connect = MqttMessageBuilders.connect().clientId("c1")
			.protocolVersion(MqttVersion.MQTT_3_1_1).cleanSession(true).username("alice")
			.password(PASSWORD.getBytes(StandardCharsets.UTF_8)).willFlag(true).willTopic("forbidden/will")
			.willMessage(new byte[] { 1 }).willQoS(MqttQoS.AT_MOST_ONCE).build();
		channel.writeInbound(connect);

		assertThat(awaitOutbound(channel, MqttConnAckMessage.class).variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
		awaitClosed(channel);
		assertThat(this.core.clientIdOf(channel)).isNull();
		assertThat(this.owners.ownerOf("c1")).isNull();
		channel.finishAndReleaseAll();
	}

	/** One owner per session: another user's CONNECT with the same client id gets CONNACK 5. */
	@Test
	void aClientIdThatNamesAnotherUsersSessionIsRefusedWithConnAckFive() throws Exception {
		EmbeddedChannel alice = newConnection();
		alice.writeInbound(connect("alice", "shared", PASSWORD, false));
		assertThat(awaitOutbound(alice, MqttConnAckMessage.class).variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
		awaitEngine("shared");

		EmbeddedChannel bob = newConnection();
		bob.writeInbound(connect("bob", "shared", PASSWORD, false));
		assertThat(awaitOutbound(bob, MqttConnAckMessage.class).variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
		awaitClosed(bob);
		assertThat(alice.isOpen()).as("the owner's connection is not taken over").isTrue();
		assertThat(this.owners.ownerOf("shared")).isEqualTo("alice");
		bob.finishAndReleaseAll();
		end(alice, "shared");
	}

	/**
	 * A connection that closes while its credentials are checked leaves nothing behind: the
	 * engine never hears of it (so keeps no session for it), no session is claimed, and what it
	 * sent behind its CONNECT is released.
	 */
	@Test
	void aConnectionClosedDuringTheCredentialsCheckLeavesNothingBehind() throws Exception {
		this.checks = new CountDownLatch(1);
		EmbeddedChannel channel = newConnection();
		MqttPublishMessage publish = MqttMessageBuilders.publish().topicName("a/b").qos(MqttQoS.AT_MOST_ONCE)
			.payload(Unpooled.wrappedBuffer(new byte[] { 42 })).build();
		ByteBuf payload = publish.payload();
		channel.writeInbound(connect("alice", "c1", PASSWORD, false), publish);
		awaitCheckStarted();

		channel.close();
		int ran = this.loop.ran();
		this.checks.countDown();
		// The check answers "accepted" after the close: wait until the guard handled that answer.
		await(() -> {
			pump(channel);
			return this.checksDone.get() == 1 && this.loop.ran() > ran;
		}, "the answer of the credentials check");
		awaitEngine("c1");

		assertThat((Object) channel.readOutbound()).isNull();
		assertThat(this.core.clientIdOf(channel)).isNull();
		assertThat(this.owners.ownerOf("c1")).isNull();
		assertThat(payload.refCnt()).as("the held PUBLISH was released").isZero();
		channel.finishAndReleaseAll();

		EmbeddedChannel again = newConnection();
		again.writeInbound(connect("alice", "c1", PASSWORD, false));
		assertThat(awaitOutbound(again, MqttConnAckMessage.class).variableHeader().isSessionPresent())
			.as("the engine kept no session of the closed connection").isFalse();
		end(again, "c1");
	}

	/**
	 * A failure a client may provoke is logged by its class, never by a message that may quote what
	 * the client sent, and a burst of them writes no more lines than the rate limit.
	 */
	@Test
	void connectionFailuresAreLoggedWithoutTheirMessageAndRateLimited() throws Exception {
		Logger logger = (Logger) LoggerFactory.getLogger(ProtocolGuard.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		int failures = 3 * RateLimitedLog.DEFAULT_LINES;
		try {
			for (int i = 0; i < failures; i++) {
				EmbeddedChannel channel = newConnection();
				channel.pipeline().fireExceptionCaught(new IllegalStateException("topic a\nFORGED-LINE b"));
				awaitClosed(channel);
				channel.finishAndReleaseAll();
			}
		}
		finally {
			logger.detachAppender(appender);
		}
		List<String> lines = appender.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
		assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(RateLimitedLog.DEFAULT_LINES)
			.allSatisfy((line) -> assertThat(line).doesNotContain("FORGED").contains("IllegalStateException"));
	}

	/**
	 * The engine writes its PUBACK only while the connection is writable, and drops it otherwise;
	 * the guard writes it once the connection has room again and the engine has run what it had
	 * for the client. Without that the client waits for it until it reconnects.
	 */
	@Test
	void aPubAckTheEngineDroppedWhileTheConnectionWasFullIsWrittenOnceItHasRoom() throws Exception {
		ScriptedWritability channel = connectedWithScriptedWritability();

		handOverWhileFull(channel, publish(7, MqttQoS.AT_LEAST_ONCE));
		pump(channel);
		assertThat((Object) channel.readOutbound()).as("the engine dropped its PUBACK").isNull();

		makeRoom(channel);
		MqttPubAckMessage ack = awaitOutbound(channel, MqttPubAckMessage.class);
		assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
		assertThat(ack.variableHeader().messageId()).isEqualTo(7);
		assertNothingMoreWritten(channel, "c1");
		end(channel, "c1");
	}

	/** Likewise PUBREC and PUBCOMP, the answers of QoS 2 (MQTT-4.3.3-2). */
	@Test
	void qos2AnswersTheEngineDroppedAreWrittenOnceTheConnectionHasRoom() throws Exception {
		ScriptedWritability channel = connectedWithScriptedWritability();

		handOverWhileFull(channel, publish(8, MqttQoS.EXACTLY_ONCE));
		makeRoom(channel);
		MqttMessage pubRec = awaitOutbound(channel, MqttMessage.class);
		assertThat(pubRec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
		assertThat(((MqttMessageIdVariableHeader) pubRec.variableHeader()).messageId()).isEqualTo(8);

		handOverWhileFull(channel, new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false,
				MqttQoS.AT_LEAST_ONCE, false, 0), MqttMessageIdVariableHeader.from(8)));
		pump(channel);
		assertThat((Object) channel.readOutbound()).as("the engine dropped its PUBCOMP").isNull();
		makeRoom(channel);
		MqttMessage pubComp = awaitOutbound(channel, MqttMessage.class);
		assertThat(pubComp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
		assertThat(((MqttMessageIdVariableHeader) pubComp.variableHeader()).messageId()).isEqualTo(8);
		assertNothingMoreWritten(channel, "c1");
		end(channel, "c1");
	}

	/**
	 * PUBREL, the engine's answer to the PUBREC of a client receiving at QoS 2, likewise:
	 * dropped, it would come only with the resend, 5 to 10 s later.
	 */
	@Test
	void aPubRelTheEngineDroppedIsWrittenOnceTheConnectionHasRoom() throws Exception {
		ScriptedWritability channel = connectedWithScriptedWritability();
		channel.writeInbound(MqttMessageBuilders.subscribe().messageId(1)
			.addSubscription(MqttQoS.EXACTLY_ONCE, "a/b").build());
		assertThat(awaitOutbound(channel, MqttSubAckMessage.class).payload().grantedQoSLevels()).containsExactly(2);
		channel.writeInbound(publish(12, MqttQoS.EXACTLY_ONCE));
		int delivered = -1;
		for (int i = 0; i < 2; i++) {
			MqttMessage out = awaitOutbound(channel, MqttMessage.class);
			if (out instanceof MqttPublishMessage copy) {
				delivered = copy.variableHeader().packetId();
			}
			ReferenceCountUtil.release(out);
		}
		assertThat(delivered).as("its own message, delivered at QoS 2").isPositive();

		handOverWhileFull(channel, new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREC, false,
				MqttQoS.AT_MOST_ONCE, false, 0), MqttMessageIdVariableHeader.from(delivered)));
		pump(channel);
		assertThat((Object) channel.readOutbound()).as("the engine dropped its PUBREL").isNull();
		makeRoom(channel);
		MqttMessage pubRel = awaitOutbound(channel, MqttMessage.class);
		assertThat(pubRel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
		assertThat(((MqttMessageIdVariableHeader) pubRel.variableHeader()).messageId()).isEqualTo(delivered);
		assertNothingMoreWritten(channel, "c1");
		end(channel, "c1");
	}

	/** An answer the engine wrote is not written again when the connection has room again. */
	@Test
	void anAnswerTheEngineWroteIsNotWrittenTwice() throws Exception {
		ScriptedWritability channel = connectedWithScriptedWritability();

		channel.writeInbound(publish(9, MqttQoS.AT_LEAST_ONCE));
		assertThat(awaitOutbound(channel, MqttPubAckMessage.class).variableHeader().messageId()).isEqualTo(9);
		handOverWhileFull(channel, publish(10, MqttQoS.AT_LEAST_ONCE));
		makeRoom(channel);
		assertThat(awaitOutbound(channel, MqttPubAckMessage.class).variableHeader().messageId()).isEqualTo(10);
		assertNothingMoreWritten(channel, "c1");
		end(channel, "c1");
	}

	/**
	 * A PUBLISH the engine could not take (its command queue was full) is left unanswered on
	 * purpose, for the client to send again: answering it would lose it.
	 */
	@Test
	void aPublishTheEngineCouldNotTakeIsNotAnswered() throws Exception {
		ScriptedWritability channel = connectedWithScriptedWritability();
		awaitEngine("c1");

		CountDownLatch held = new CountDownLatch(1);
		try {
			assertThat(this.core.afterQueuedCommands("c1", () -> awaitQuietly(held))).isTrue();
			int queued = 0;
			while (this.core.afterQueuedCommands("c1", () -> {
			})) {
				assertThat(++queued).as("the session loop's queue is bounded").isLessThan(100_000);
			}
			channel.writeInbound(publish(11, MqttQoS.AT_LEAST_ONCE));
			pump(channel);
			channel.runPendingTasks();
		}
		finally {
			held.countDown();
		}
		await(() -> this.core.afterQueuedCommands("c1", () -> {
		}), "room in the session loop's queue");
		awaitEngine("c1");
		channel.writable = false;
		channel.pipeline().fireChannelWritabilityChanged();
		makeRoom(channel);
		assertNothingMoreWritten(channel, "c1");
		end(channel, "c1");
	}

	/** A client "c1" connected on a channel whose writability the test sets. */
	private ScriptedWritability connectedWithScriptedWritability() throws Exception {
		ScriptedWritability channel = newConnection(new ScriptedWritability());
		channel.writeInbound(connect("alice", "c1", PASSWORD, true));
		awaitOutbound(channel, MqttConnAckMessage.class);
		return channel;
	}

	/** Hands {@code packet} to the engine, which answers while the connection is full. */
	private void handOverWhileFull(ScriptedWritability channel, MqttMessage packet) throws InterruptedException {
		channel.writable = false;
		channel.writeInbound(packet);
		awaitEngine("c1");
	}

	private static void makeRoom(ScriptedWritability channel) {
		channel.writable = true;
		channel.pipeline().fireChannelWritabilityChanged();
	}

	private void assertNothingMoreWritten(EmbeddedChannel channel, String clientId) throws InterruptedException {
		for (int i = 0; i < 3; i++) {
			awaitEngine(clientId);
			pump(channel);
			Thread.sleep(20);
		}
		pump(channel);
		assertThat((Object) channel.readOutbound()).isNull();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static MqttPublishMessage publish(int packetId, MqttQoS qos) {
		return MqttMessageBuilders.publish().topicName("a/b").qos(qos).messageId(packetId)
			.payload(Unpooled.wrappedBuffer(new byte[] { 1 })).build();
	}

	/** A connection whose writability the test sets (the engine asks from its session loop). */
	private static final class ScriptedWritability extends EmbeddedChannel {

		volatile boolean writable = true;

		ScriptedWritability() {
			super(false, false);
		}

		@Override
		public boolean isWritable() {
			return this.writable;
		}

	}

	private EmbeddedChannel newConnection() throws Exception {
		return newConnection(new EmbeddedChannel(false, false));
	}

	private <C extends EmbeddedChannel> C newConnection(C channel) throws Exception {
		channel.pipeline().addLast(this.loop, "connectionSlot",
				new ConnectionSlot(this.services.limits(), this.services.addresses()));
		channel.pipeline().addLast(this.loop, "packetRules",
				new PacketRules(this.services.addresses(), this.services.maxMessageBytes(), () -> {
				}, new RarePacketHandlers(this.services.limits(), this.services.retainedQuota(),
						this.services.addresses(), "handler")));
		channel.pipeline().addLast(this.loop, "handler", new ProtocolGuard(this.services));
		channel.register();
		return channel;
	}

	private static MqttConnectMessage connect(String username, String clientId, String password, boolean clean) {
		// No keep-alive: the engine would otherwise time the connection on the channel's own loop.
		return MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(clean).keepAlive(0).username(username).password(password.getBytes(StandardCharsets.UTF_8))
			.build();
	}

	private static MqttMessage subscribe(int packetId, String filter) {
		return MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(MqttQoS.AT_MOST_ONCE, filter).build();
	}

	/** Runs what other threads queued for the channel; the answer of a check is handed over here. */
	private void pump(EmbeddedChannel channel) {
		this.loop.runPending();
	}

	private <T> T awaitOutbound(EmbeddedChannel channel, Class<T> type) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (System.nanoTime() < deadline) {
			pump(channel);
			Object message = channel.readOutbound();
			if (message != null) {
				assertThat(message).isInstanceOf(type);
				return type.cast(message);
			}
			this.loop.awaitWork(10);
		}
		throw new AssertionError("No " + type.getSimpleName() + " within " + WAIT);
	}

	private void awaitClosed(EmbeddedChannel channel) throws InterruptedException {
		await(() -> {
			pump(channel);
			return !channel.isOpen();
		}, "the connection to close");
	}

	private void awaitCheckStarted() throws InterruptedException {
		await(() -> this.checked.get() == 1, "the credentials check to start");
	}

	/** Waits until the engine ran every command it had queued for the client. */
	private void awaitEngine(String clientId) throws InterruptedException {
		CountDownLatch ran = new CountDownLatch(1);
		assertThat(this.core.afterQueuedCommands(clientId, ran::countDown)).isTrue();
		assertThat(ran.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the engine caught up").isTrue();
	}

	private void await(BooleanSupplier condition, String what) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Waited in vain for " + what);
			}
			this.loop.awaitWork(10);
		}
	}

	/** Ends an accepted connection once the engine has finished setting it up. */
	private void end(EmbeddedChannel channel, String clientId) throws InterruptedException {
		awaitEngine(clientId);
		pump(channel);
		channel.finishAndReleaseAll();
	}

	/** Any user name with {@link #PASSWORD}; every check goes through the slow path, held by {@link #checks}. */
	private final class PasswordCheck implements MqttAuthenticator {

		@Override
		public boolean allowsAnonymous() {
			return false;
		}

		@Override
		public Precheck precheck(String clientId, String username, byte[] password, String remoteAddress) {
			return Precheck.CHECK;
		}

		@Override
		public boolean authenticate(String clientId, String username, byte[] password, String remoteAddress) {
			checked.incrementAndGet();
			try {
				checks.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			checksDone.incrementAndGet();
			return password != null && PASSWORD.equals(new String(password, StandardCharsets.UTF_8));
		}

		@Override
		public ConnectCheckLimits limits() {
			return new ConnectCheckLimits(1, 8, 100, 100, 100, 100);
		}

	}

	/** Everything is allowed but publishing under {@code forbidden/}. */
	private static final class NoForbiddenPublishes implements MqttAuthorizer {

		@Override
		public boolean canPublish(String username, String clientId, String topic) {
			return !topic.startsWith("forbidden/");
		}

		@Override
		public boolean canSubscribe(String username, String clientId, String topicFilter) {
			return true;
		}

		@Override
		public boolean canRead(String username, String clientId, String topic) {
			return true;
		}

	}

	/**
	 * The event loop of the handlers under test: the test's thread is its thread; what other
	 * threads hand it waits in a queue until that thread runs it.
	 */
	private static final class TestLoop extends AbstractEventExecutor {

		private final Thread owner = Thread.currentThread();

		private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

		private final Future<?> termination = new DefaultPromise<Void>(GlobalEventExecutor.INSTANCE);

		private int ran;

		void runPending() {
			Runnable task;
			while ((task = this.tasks.poll()) != null) {
				task.run();
				this.ran++;
			}
		}

		/** How many tasks of other threads have been run. */
		int ran() {
			return this.ran;
		}

		/** Waits a little for another thread to hand over work. */
		synchronized void awaitWork(long millis) throws InterruptedException {
			if (this.tasks.isEmpty()) {
				wait(millis);
			}
		}

		@Override
		public void execute(Runnable task) {
			this.tasks.add(task);
			synchronized (this) {
				notifyAll();
			}
		}

		@Override
		public boolean inEventLoop(Thread thread) {
			return thread == this.owner;
		}

		@Override
		public boolean isShuttingDown() {
			return false;
		}

		@Override
		public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
			return this.termination;
		}

		@Override
		public Future<?> terminationFuture() {
			return this.termination;
		}

		@Override
		@Deprecated
		public void shutdown() {
		}

		@Override
		public boolean isShutdown() {
			return false;
		}

		@Override
		public boolean isTerminated() {
			return false;
		}

		@Override
		public boolean awaitTermination(long timeout, TimeUnit unit) {
			return false;
		}

	}

}

package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import com.mqtthub.security.RateLimitedLog;
import io.moquette.broker.MoquetteCore;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CONNECT handshake and the hand-off to the engine: the last inbound handler of every MQTT
 * connection (after {@link PacketRules}, {@link InflightTracker}, {@link Qos2Receipts}). It
 * checks credentials off the event loop, the session's owner and the will's topic, then hands
 * the CONNECT and every later packet to the engine's handler, and keeps the engine's command
 * queue from overflowing (back-pressure on reading).
 * <p>
 * It keeps the engine's view of a connection in order. Packets that a client sends right
 * behind its CONNECT (as MQTT allows), and the end of the connection, are passed on only after
 * the engine has finished accepting the connection; the engine would otherwise see them as sent
 * on a closed connection and drop the client, or publish the will of a client that said
 * DISCONNECT. And the end of a connection that said DISCONNECT is not reported as a lost one.
 */
final class ProtocolGuard extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ProtocolGuard.class);

	/** Any stranger can send refused CONNECTs at will: a burst of them must not flood the log. */
	private static final RateLimitedLog refusals = new RateLimitedLog(logger, "refused MQTT connections");

	/**
	 * Failures a client may be able to provoke at will (through the engine, or by making its own
	 * checks fail): a burst of them must not flood the log.
	 */
	private static final RateLimitedLog failures = new RateLimitedLog(logger, "MQTT connections that failed");

	private final MoquetteCore core;

	private final MqttConnectAuthentication authentication;

	private final ClientAddresses addresses;

	private final BrokerLimits limits;

	private final MqttAuthorizer authorizer;

	private final SessionOwners owners;

	/** This connection holds its session's claim in {@link #owners}. */
	private boolean ownsSession;

	private final ChannelInboundHandler engine;

	/** Packets handed to the engine between two probes of its command queue. */
	private static final int PROBE_EVERY = 128;

	/** Where the CONNECT handshake of this connection stands. */
	private enum Handshake {

		/** No CONNECT yet. */
		AWAITING_CONNECT,

		/** The credentials are being checked: the engine does not know this connection. */
		CHECKING_CREDENTIALS,

		/** The CONNECT was handed to the engine, which has not settled it yet. */
		ENGINE_CONNECTING,

		/** Accepted: packets flow straight through to the engine. */
		OPEN,

		/** Refused by the hub: the engine never knew this connection. */
		REFUSED,

		/** Refused by the engine, or its CONNACK could not be written. */
		ENGINE_REFUSED;

		/** Whether the engine was handed the CONNECT (so it must hear of the connection's end). */
		boolean engineKnows() {
			return this == ENGINE_CONNECTING || this == OPEN || this == ENGINE_REFUSED;
		}

		/** Whether the handshake is over: later packets are passed on or dropped, not held. */
		boolean settled() {
			return this == OPEN || this == REFUSED || this == ENGINE_REFUSED;
		}

	}

	private Handshake handshake = Handshake.AWAITING_CONNECT;

	/** The client asked for a session that outlives the connection (clean session 0). */
	private boolean persistentSession;

	/** The engine has run every command it had queued when it took the CONNECT. */
	private boolean engineCaughtUp;

	private ChannelPromise connAckWrite;

	private boolean connAckAccepted;

	private boolean connectionEnded;

	/** Packets read during the handshake; created for the first, dropped once it is settled. */
	private Queue<MqttMessage> held;

	/** A DISCONNECT reached the engine: the connection ends cleanly, without its will. */
	private boolean disconnected;

	/** Packets handed to the engine since the last probe of its command queue. */
	private int sinceProbe;

	/** Probes queued behind this client's commands and not yet run. */
	private int probesWaiting;

	/** Reading from this client is paused until the engine catches up with it. */
	private boolean pausedForEngine;

	/** The client id the engine knows this connection by. */
	private String clientId;

	/** The user name this connection logged in with, once its CONNECT is accepted. */
	private volatile String username;

	/**
	 * A will to be published as retained, which the hub keeps (the engine would publish it
	 * without storing it, MQTT-3.1.2-17): topic, payload, QoS; null when there is none.
	 */
	private MqttPublishMessage retainedWill;

	/** Answers the engine owes the client; null until the first packet that is owed one. */
	private EngineAnswers answers;

	/** Reports this connection's events to the hub's monitoring. */
	private ConnectionObservation observation = new ConnectionObservation(BrokerObserver.NONE);

	ProtocolGuard(ConnectionServices services) {
		this.core = services.core();
		this.authentication = services.authentication();
		this.authorizer = services.authorizer();
		this.owners = services.owners();
		this.addresses = services.addresses();
		this.limits = services.limits();
		this.engine = this.core.mqttHandler();
	}

	/** Reports this connection's events to {@code observer}; call before the channel is active. */
	ProtocolGuard observedBy(BrokerObserver observer) {
		this.observation = new ConnectionObservation(observer);
		return this;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.engine.channelActive(ctx);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		// PacketRules let only well-formed packets in, a CONNECT first and once.
		MqttMessage message = (MqttMessage) msg;
		if (message.fixedHeader().messageType() == MqttMessageType.CONNECT) {
			connect(ctx, (MqttConnectMessage) message);
			return;
		}
		if (!this.handshake.settled()) {
			if (this.held == null) {
				this.held = new ArrayDeque<>(4);
			}
			this.held.add(message);
			return;
		}
		forward(ctx, message);
	}

	/**
	 * Checks the credentials off the event loop; meanwhile nothing more is read from the client
	 * and what was already read waits.
	 */
	private void connect(ChannelHandlerContext ctx, MqttConnectMessage connect) {
		this.handshake = Handshake.CHECKING_CREDENTIALS;
		int level = connect.variableHeader().version();
		if (level != MqttVersion.MQTT_3_1.protocolLevel() && level != MqttVersion.MQTT_3_1_1.protocolLevel()) {
			// MQTT-3.1.2-2, before anything else about this client is looked at.
			refusals.warn("Refused MQTT connection from {}: unsupported protocol level {}", remote(ctx), level);
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
			return;
		}
		if (!ConnectionSlot.held(ctx.channel())) {
			// Counted when the socket was accepted beyond the maximum.
			refusals.warn("Refused MQTT connection from {}: {} connections open (mqtthub.broker.max-connections)",
					remote(ctx), this.limits.maxConnections());
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
			return;
		}
		this.persistentSession = !connect.variableHeader().isCleanSession();
		ReadPauses.pause(ctx.channel(), ReadPauses.Reason.HANDSHAKE);
		MqttConnectMessage withId = withAssignedClientId(connect);
		MqttConnectPayload payload = withId.payload();
		this.authentication
			.check(payload.clientIdentifier(), payload.userName(), payload.passwordInBytes(), remoteHost(ctx),
					() -> ctx.channel().isActive())
			.whenComplete((outcome, failure) -> ctx.executor().execute(() -> {
				if (failure != null) {
					failures.warn("Checking the credentials of {} failed: {}", remote(ctx),
							failure.getClass().getSimpleName());
					logger.debug("Credentials check failure", failure);
				}
				if (outcome == MqttConnectAuthentication.Outcome.ACCEPTED && !mayPublishWill(withId)) {
					refusals.warn("Refused MQTT connection from {}: its will topic is not one it may publish to",
							remote(ctx));
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
				}
				else if (outcome == MqttConnectAuthentication.Outcome.ACCEPTED && !claimSession(ctx, payload)) {
					refusals.warn("Refused MQTT connection from {}: its client id names a session of another user",
							remote(ctx));
					this.observation.takeoverRefused();
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
				}
				else if (outcome == MqttConnectAuthentication.Outcome.ACCEPTED) {
					handToEngine(ctx, keepRetainedWill(withId));
				}
				else if (outcome == MqttConnectAuthentication.Outcome.OVERLOADED || failure != null) {
					refusals.warn("Refused MQTT connection from {}: the broker is overloaded", remote(ctx));
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
				}
				else {
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
				}
			}));
	}

	/** One owner per session: the user whose CONNECT created it. */
	private boolean claimSession(ChannelHandlerContext ctx, MqttConnectPayload payload) {
		if (!ctx.channel().isActive() || payload.clientIdentifier() == null || payload.clientIdentifier().isEmpty()) {
			// Gone already (handToEngine lets it go), or no id: the engine refuses it (MQTT-3.1.3-8).
			return true;
		}
		this.clientId = payload.clientIdentifier();
		this.ownsSession = this.owners.claim(this.clientId, payload.userName(), ctx.channel());
		return this.ownsSession;
	}

	/** A will is a publish on the client's behalf: its topic needs the same permission. */
	private boolean mayPublishWill(MqttConnectMessage connect) {
		String willTopic = connect.payload().willTopic();
		return !connect.variableHeader().isWillFlag() || willTopic == null
				|| (!DeliveryRules.isReservedForTheBroker(willTopic) && this.authorizer
					.canPublish(connect.payload().userName(), connect.payload().clientIdentifier(), willTopic));
	}

	/**
	 * Takes a will that is to be retained away from the engine (which would not store it) and
	 * keeps it here, to publish it through the engine as a retained message when the connection
	 * ends without DISCONNECT.
	 */
	private MqttConnectMessage keepRetainedWill(MqttConnectMessage connect) {
		MqttConnectVariableHeader header = connect.variableHeader();
		if (!header.isWillFlag() || !header.isWillRetain()) {
			return connect;
		}
		MqttConnectPayload payload = connect.payload();
		this.retainedWill = MqttMessageBuilders.publish()
			.topicName(payload.willTopic())
			.qos(MqttQoS.valueOf(header.willQos()))
			.retained(true)
			.payload(Unpooled.wrappedBuffer(payload.willMessageInBytes()))
			.build();
		MqttConnectVariableHeader withoutWill = new MqttConnectVariableHeader(header.name(), header.version(),
				header.hasUserName(), header.hasPassword(), false, 0, false, header.isCleanSession(),
				header.keepAliveTimeSeconds());
		MqttConnectPayload payloadWithoutWill = new MqttConnectPayload(payload.clientIdentifier(),
				payload.willProperties(), null, (byte[]) null, payload.userName(), payload.passwordInBytes());
		return new MqttConnectMessage(connect.fixedHeader(), withoutWill, payloadWithoutWill);
	}

	private void refuse(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
		this.handshake = Handshake.REFUSED;
		releaseHeld();
		connAckThenClose(ctx, code);
	}

	private void handToEngine(ChannelHandlerContext ctx, MqttConnectMessage connect) {
		if (!ctx.channel().isActive()) {
			// Gone while its credentials were checked: there is no session to end.
			this.handshake = Handshake.REFUSED;
			releaseHeld();
			return;
		}
		String clientId = connect.payload().clientIdentifier();
		this.clientId = clientId;
		this.username = connect.payload().userName();
		this.handshake = Handshake.ENGINE_CONNECTING;
		this.observation.connect(connect, remote(ctx));
		try {
			this.engine.channelRead(ctx, connect);
		}
		catch (Exception ex) {
			exceptionCaught(ctx, ex);
			return;
		}
		if (this.handshake.settled() || this.connAckWrite != null || !ctx.channel().isActive()) {
			// Refused on the spot: nothing to wait for.
			settle(ctx);
			return;
		}
		boolean queued = this.core.afterQueuedCommands(clientId, () -> {
			this.core.capSessionQueue(clientId);
			this.core.reconcileSubscriptions(clientId);
			ctx.executor().execute(() -> {
				this.engineCaughtUp = true;
				settleAfterConnAck(ctx);
			});
		});
		if (!queued) {
			refusals.warn("Refused MQTT connection from {}: the broker is overloaded", remote(ctx));
			ctx.close();
		}
	}

	/** The user name of this connection, or null (anonymous, or not connected yet). */
	String username() {
		return this.username;
	}

	/** The client's address: for a relayed connection the browser's, not the relay's. */
	private SocketAddress remote(ChannelHandlerContext ctx) {
		return this.addresses.resolve(ctx.channel().remoteAddress());
	}

	private String remoteHost(ChannelHandlerContext ctx) {
		SocketAddress remote = remote(ctx);
		return (remote instanceof InetSocketAddress address) ? address.getHostString() : String.valueOf(remote);
	}

	private void releaseHeld() {
		MqttMessage next;
		while ((next = nextHeld()) != null) {
			ReferenceCountUtil.release(next);
		}
		this.held = null;
	}

	private MqttMessage nextHeld() {
		return (this.held != null) ? this.held.poll() : null;
	}

	/**
	 * MQTT-3.1.3-6: the server may assign an id to a clean-session client that sends none; doing
	 * it here lets the hub know every client's id from its CONNECT.
	 */
	private static MqttConnectMessage withAssignedClientId(MqttConnectMessage connect) {
		MqttConnectPayload payload = connect.payload();
		String clientId = payload.clientIdentifier();
		if ((clientId != null && !clientId.isEmpty()) || !connect.variableHeader().isCleanSession()) {
			return connect;
		}
		String assigned = "auto-" + UUID.randomUUID().toString().replace("-", "");
		MqttConnectPayload withId = new MqttConnectPayload(assigned, payload.willProperties(), payload.willTopic(),
				payload.willMessageInBytes(), payload.userName(), payload.passwordInBytes());
		return new MqttConnectMessage(connect.fixedHeader(), connect.variableHeader(), withId);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttConnAckMessage && this.handshake == Handshake.ENGINE_CONNECTING
				&& this.connAckWrite == null) {
			this.connAckWrite = promise;
			this.connAckAccepted = ((MqttConnAckMessage) msg).variableHeader()
				.connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED;
			settleAfterConnAck(ctx);
		}
		this.observation.outbound(msg);
		if (this.answers != null && msg instanceof MqttMessage message) {
			this.answers.written(message);
		}
		super.write(ctx, msg, promise);
	}

	/**
	 * Settles once the CONNACK is written and the engine's own completion work has run. The
	 * engine registers that work on the same write before it runs the command that set
	 * {@link #engineCaughtUp}, so a listener added now is notified after it.
	 */
	private void settleAfterConnAck(ChannelHandlerContext ctx) {
		if (this.engineCaughtUp && this.connAckWrite != null && !this.handshake.settled()) {
			this.connAckWrite.addListener((ChannelFuture written) -> settle(ctx));
		}
	}

	private void settle(ChannelHandlerContext ctx) {
		if (this.handshake.settled()) {
			return;
		}
		boolean accepted = this.connAckAccepted && this.connAckWrite != null && this.connAckWrite.isSuccess();
		this.handshake = accepted ? Handshake.OPEN : Handshake.ENGINE_REFUSED;
		if (accepted) {
			this.observation.accepted();
		}
		// Neither is needed once the handshake is settled: an idle connection keeps neither.
		this.connAckWrite = null;
		MqttMessage next;
		while ((next = nextHeld()) != null) {
			if (accepted) {
				forward(ctx, next);
			}
			else {
				ReferenceCountUtil.release(next);
			}
		}
		this.held = null;
		if (this.connectionEnded) {
			endConnection(ctx);
		}
		else {
			try {
				this.engine.channelReadComplete(ctx);
			}
			catch (Exception ex) {
				exceptionCaught(ctx, ex);
			}
			ReadPauses.resume(ctx.channel(), ReadPauses.Reason.HANDSHAKE);
		}
	}

	private void forward(ChannelHandlerContext ctx, MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type == MqttMessageType.DISCONNECT) {
			this.disconnected = true;
		}
		this.observation.inbound(message);
		MqttMessageType owed = EngineAnswers.owedFor(message);
		if (owed != null) {
			if (this.answers == null) {
				this.answers = new EngineAnswers();
			}
			this.answers.handedOver(message, owed);
		}
		try {
			this.engine.channelRead(ctx, message);
		}
		catch (Exception ex) {
			exceptionCaught(ctx, ex);
			return;
		}
		if (++this.sinceProbe >= PROBE_EVERY) {
			this.sinceProbe = 0;
			probeEngine(ctx);
		}
	}

	/**
	 * Back-pressure towards the engine: its per-loop command queues are bounded and drop work
	 * (even QoS 1 publishes, never acknowledged) when full. Every {@value #PROBE_EVERY} packets
	 * a probe joins this client's commands; while two probes wait, nothing more is read from the
	 * client, so one fast client cannot have more than a few hundred commands queued.
	 */
	private void probeEngine(ChannelHandlerContext ctx) {
		this.probesWaiting++;
		boolean queued = this.core.afterQueuedCommands(this.clientId, () -> ctx.executor().execute(() -> {
			this.probesWaiting--;
			if (this.pausedForEngine && this.probesWaiting <= 1) {
				this.pausedForEngine = false;
				ReadPauses.resume(ctx.channel(), ReadPauses.Reason.ENGINE);
			}
		}));
		if (!queued) {
			// The queue is full right now: stop reading and try again shortly.
			this.probesWaiting--;
			this.pausedForEngine = true;
			ReadPauses.pause(ctx.channel(), ReadPauses.Reason.ENGINE);
			ctx.executor().schedule(() -> probeEngine(ctx), 10, TimeUnit.MILLISECONDS);
			return;
		}
		if (this.probesWaiting >= 2 && !this.pausedForEngine) {
			this.pausedForEngine = true;
			ReadPauses.pause(ctx.channel(), ReadPauses.Reason.ENGINE);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
		if (this.handshake.settled()) {
			this.engine.channelReadComplete(ctx);
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connectionEnded = true;
		if (this.ownsSession) {
			this.ownsSession = false;
			this.owners.released(this.clientId, !this.persistentSession, ctx.channel());
		}
		if (this.handshake == Handshake.CHECKING_CREDENTIALS) {
			// The engine never knew this connection.
			this.handshake = Handshake.REFUSED;
			releaseHeld();
			return;
		}
		if (this.handshake == Handshake.ENGINE_CONNECTING) {
			// The engine is still accepting this connection: end it once that is done.
			return;
		}
		endConnection(ctx);
	}

	private void endConnection(ChannelHandlerContext ctx) {
		this.observation.ended(this.disconnected);
		if (!this.handshake.engineKnows() || this.disconnected) {
			// Never connected, or the engine already closed the session for the DISCONNECT:
			// reporting the closed socket as a lost connection could publish the will
			// (MQTT-3.1.2-10, MQTT-3.14.4-3).
			return;
		}
		if (this.retainedWill != null && this.connAckAccepted) {
			MqttPublishMessage will = this.retainedWill;
			this.retainedWill = null;
			this.core.internalPublish(will, this.username);
		}
		try {
			this.engine.channelInactive(ctx);
		}
		catch (Exception ex) {
			failures.warn("Ending the MQTT session of {} failed: {}", remote(ctx), ex.getClass().getSimpleName());
			logger.debug("Session end failure", ex);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
		if (this.handshake.settled()) {
			if (ctx.channel().isWritable() && this.core.mayResend(ctx.channel())) {
				// Before the engine goes on with its queue: what it took in flight but could not write
				// (only a session with messages noted in flight can have any).
				ClientBacklogLimit writes = ctx.pipeline().get(ClientBacklogLimit.class);
				if (writes != null) {
					this.core.sendDroppedWrites(ctx.channel(), writes::wasWritten);
				}
			}
			if (ctx.channel().isWritable() && this.answers != null && this.answers.owing()) {
				lookForDroppedAnswers(ctx);
			}
			this.engine.channelWritabilityChanged(ctx);
		}
	}

	/**
	 * The engine writes its answers (PUBACK, PUBREC, PUBCOMP, PUBREL) only while the connection
	 * is writable; once it is again, and the engine has run what it had queued for the client,
	 * the answers it still owes for packets handed to it before now were dropped and are written
	 * here ({@link EngineAnswers}). They pass the same handlers as the engine's own: a PUBACK or
	 * PUBREC still waits for the commit of what it confirms.
	 */
	private void lookForDroppedAnswers(ChannelHandlerContext ctx) {
		if (!this.answers.startLooking()) {
			return;
		}
		long mark = this.answers.mark();
		boolean queued = this.core.afterQueuedCommands(this.clientId, () -> {
			try {
				ctx.executor().execute(() -> writeDroppedAnswers(ctx, mark));
			}
			catch (RejectedExecutionException stopping) {
				// The network threads are stopping: the connection is about to close.
			}
		});
		if (!queued) {
			// The session loop's queue is full right now: look again shortly.
			this.answers.doneLooking();
			ctx.executor().schedule(() -> {
				if (ctx.channel().isActive() && ctx.channel().isWritable()) {
					lookForDroppedAnswers(ctx);
				}
			}, 10, TimeUnit.MILLISECONDS);
		}
	}

	private void writeDroppedAnswers(ChannelHandlerContext ctx, long mark) {
		boolean again = this.answers.doneLooking();
		if (!ctx.channel().isActive()) {
			return;
		}
		List<MqttMessage> dropped = this.answers.dropped(mark);
		for (MqttMessage answer : dropped) {
			this.observation.outbound(answer);
			ctx.write(answer);
		}
		if (!dropped.isEmpty()) {
			ctx.flush();
			this.observation.answeredForEngine(dropped.size());
			logger.debug("Wrote {} answers the engine dropped to {}", dropped.size(), remote(ctx));
		}
		if (again && this.answers.owing() && ctx.channel().isWritable()) {
			lookForDroppedAnswers(ctx);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		if (evt == MoquetteCore.AnswerWithheld.INSTANCE) {
			if (this.answers != null) {
				this.answers.withheld();
			}
			return;
		}
		this.engine.userEventTriggered(ctx, evt);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof java.io.IOException) {
			// Resets, broken pipes, closed channels: the network's doing, not worth a log line.
			logger.debug("MQTT connection from {} failed: {}", remote(ctx), cause.toString());
		}
		else {
			// The class names the fault; an exception's message can quote what the client sent.
			failures.warn("Closed MQTT connection from {}: {}", remote(ctx), cause.getClass().getSimpleName());
			logger.debug("Connection failure", cause);
		}
		ctx.close();
	}

	private void connAckThenClose(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
		// Written from here, this CONNACK does not pass this handler's write().
		this.observation.refused();
		ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
			.addListener(ChannelFutureListener.CLOSE);
	}

}

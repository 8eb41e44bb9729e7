package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.moquette.broker.MoquetteCore;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every MQTT connection: it checks each decoded packet against the MQTT
 * 3.1.1 rules that the engine does not enforce itself, then hands it to the engine's handler.
 * An offending connection is closed with one clear log line (no stack trace), so one bad client
 * cannot flood the log.
 * <p>
 * It also keeps the engine's view of a connection in order. Packets that a client sends right
 * behind its CONNECT (as MQTT allows), and the end of the connection, are passed on only after
 * the engine has finished accepting the connection; the engine would otherwise see them as sent
 * on a closed connection and drop the client, or publish the will of a client that said
 * DISCONNECT. And the end of a connection that said DISCONNECT is not reported as a lost one.
 */
final class ProtocolGuard extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ProtocolGuard.class);

	private final MoquetteCore core;

	private final MqttConnectAuthentication authentication;

	private final ClientAddresses addresses;

	private final BrokerLimits limits;

	private final MqttAuthorizer authorizer;

	/** This connection holds one of the broker's connection slots. */
	private boolean countedIn;

	/** QoS 0 messages are being dropped for this client (it does not read fast enough). */
	private boolean dropping;

	private final ChannelInboundHandler engine;

	/** Packets handed to the engine between two probes of its command queue. */
	private static final int PROBE_EVERY = 128;

	private final int maxMessageBytes;

	/** A CONNECT was handed to the engine. */
	private boolean connectSeen;

	/** The client asked for a session that outlives the connection (clean session 0). */
	private boolean persistentSession;

	/** The engine has accepted or refused the connection: packets flow straight through. */
	private boolean settled;

	/** The CONNECT has passed the credential check and was handed to the engine. */
	private boolean engineHasConnect;

	/** The engine has run every command it had queued when it took the CONNECT. */
	private boolean engineCaughtUp;

	private ChannelPromise connAckWrite;

	private boolean connAckAccepted;

	private boolean connectionEnded;

	private final Queue<MqttMessage> held = new ArrayDeque<>();

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

	/** QoS 2 packet ids received and not yet released by PUBREL (MQTT-4.3.3-2). */
	private final Set<Integer> unreleasedQos2 = new HashSet<>();

	/** Reports this connection's events to the hub's monitoring. */
	private ConnectionObservation observation = new ConnectionObservation(BrokerObserver.NONE);

	ProtocolGuard(ConnectionServices services) {
		this.core = services.core();
		this.authentication = services.authentication();
		this.authorizer = services.authorizer();
		this.addresses = services.addresses();
		this.limits = services.limits();
		this.engine = this.core.mqttHandler();
		this.maxMessageBytes = services.maxMessageBytes();
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
		if (!(msg instanceof MqttMessage message)) {
			ReferenceCountUtil.release(msg);
			return;
		}
		if (message.decoderResult().isFailure()) {
			ReferenceCountUtil.release(msg);
			refuseMalformed(ctx, message.decoderResult().cause());
			return;
		}
		String violation = violation(message);
		if (violation != null) {
			ReferenceCountUtil.release(msg);
			logger.warn("Closed MQTT connection from {}: {}", remote(ctx), violation);
			ctx.close();
			return;
		}
		if (isDuplicateQos2(message)) {
			// Already received and not yet released: acknowledge again, deliver once.
			int packetId = ((MqttPublishMessage) message).variableHeader().packetId();
			ReferenceCountUtil.release(msg);
			ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREC, false,
					MqttQoS.AT_MOST_ONCE, false, 2), MqttMessageIdVariableHeader.from(packetId)));
			return;
		}
		if (message.fixedHeader().messageType() == MqttMessageType.CONNECT) {
			connect(ctx, (MqttConnectMessage) message);
			return;
		}
		if (!this.settled) {
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
		this.connectSeen = true;
		int level = connect.variableHeader().version();
		if (level != MqttVersion.MQTT_3_1.protocolLevel() && level != MqttVersion.MQTT_3_1_1.protocolLevel()) {
			// MQTT-3.1.2-2, before anything else about this client is looked at.
			logger.warn("Refused MQTT connection from {}: unsupported protocol level {}", remote(ctx), level);
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
			return;
		}
		if (!this.limits.tryConnect()) {
			logger.warn("Refused MQTT connection from {}: {} connections open (mqtthub.broker.max-connections)",
					remote(ctx), this.limits.maxConnections());
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
			return;
		}
		this.countedIn = true;
		this.persistentSession = !connect.variableHeader().isCleanSession();
		ctx.channel().config().setAutoRead(false);
		MqttConnectMessage withId = withAssignedClientId(connect);
		MqttConnectPayload payload = withId.payload();
		this.authentication
			.check(payload.clientIdentifier(), payload.userName(), payload.passwordInBytes(), remoteHost(ctx),
					() -> ctx.channel().isActive())
			.whenComplete((outcome, failure) -> ctx.executor().execute(() -> {
				if (failure != null) {
					logger.warn("Checking the credentials of {} failed", remote(ctx), failure);
				}
				if (outcome == MqttConnectAuthentication.Outcome.ACCEPTED && !mayPublishWill(withId)) {
					logger.warn("Refused MQTT connection from {}: its will topic is not one it may publish to",
							remote(ctx));
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
				}
				else if (outcome == MqttConnectAuthentication.Outcome.ACCEPTED) {
					handToEngine(ctx, keepRetainedWill(withId));
				}
				else if (outcome == MqttConnectAuthentication.Outcome.OVERLOADED || failure != null) {
					logger.warn("Refused MQTT connection from {}: the broker is overloaded",
							remote(ctx));
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);
				}
				else {
					refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
				}
			}));
	}

	/** A will is a publish on the client's behalf: its topic needs the same permission. */
	private boolean mayPublishWill(MqttConnectMessage connect) {
		String willTopic = connect.payload().willTopic();
		return !connect.variableHeader().isWillFlag() || willTopic == null
				|| this.authorizer.canPublish(connect.payload().userName(), connect.payload().clientIdentifier(),
						willTopic);
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
		this.settled = true;
		releaseHeld();
		connAckThenClose(ctx, code);
	}

	private void handToEngine(ChannelHandlerContext ctx, MqttConnectMessage connect) {
		if (!ctx.channel().isActive()) {
			// Gone while its credentials were checked: there is no session to end.
			this.settled = true;
			releaseHeld();
			return;
		}
		String clientId = connect.payload().clientIdentifier();
		this.clientId = clientId;
		this.username = connect.payload().userName();
		this.engineHasConnect = true;
		this.observation.connect(connect, remote(ctx));
		try {
			this.engine.channelRead(ctx, connect);
		}
		catch (Exception ex) {
			exceptionCaught(ctx, ex);
			return;
		}
		if (this.settled || this.connAckWrite != null || !ctx.channel().isActive()) {
			// Refused on the spot: nothing to wait for.
			settle(ctx);
			return;
		}
		boolean queued = this.core.afterQueuedCommands(clientId, () -> {
			this.core.capSessionQueue(clientId);
			ctx.executor().execute(() -> {
				this.engineCaughtUp = true;
				settleAfterConnAck(ctx);
			});
		});
		if (!queued) {
			logger.warn("Refused MQTT connection from {}: the broker is overloaded", remote(ctx));
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
		while ((next = this.held.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
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
		if (msg instanceof MqttConnAckMessage && this.connectSeen && !this.settled && this.connAckWrite == null) {
			this.connAckWrite = promise;
			this.connAckAccepted = ((MqttConnAckMessage) msg).variableHeader()
				.connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED;
			settleAfterConnAck(ctx);
		}
		if (isDroppable(ctx, msg)) {
			ReferenceCountUtil.release(msg);
			promise.trySuccess();
			return;
		}
		this.observation.outbound(msg);
		if (mustBeDurableFirst(msg)) {
			// Answer only once what this answer confirms is on disk, so that a crash right after
			// cannot lose it. Answers keep their order: they all wait in the same line.
			this.core.afterCommit(() -> ctx.executor().execute(() -> ctx.writeAndFlush(msg, promise)));
			return;
		}
		super.write(ctx, msg, promise);
	}

	/**
	 * A QoS 0 message for a client that has more than the slow-client buffer waiting unread:
	 * MQTT lets a server drop it (it was never promised), and dropping it keeps memory bounded.
	 */
	private boolean isDroppable(ChannelHandlerContext ctx, Object msg) {
		if (!(msg instanceof MqttPublishMessage publish) || publish.fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE) {
			return false;
		}
		ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
		boolean behind = pending != null && pending.totalPendingWriteBytes() > this.limits.slowClientBufferBytes();
		if (behind) {
			this.limits.droppedForSlowClient();
			if (!this.dropping) {
				this.dropping = true;
				logger.warn("MQTT client {} is not reading: dropping QoS 0 messages for it (mqtthub.broker.slow-client-buffer)",
						remote(ctx));
			}
		}
		else if (this.dropping) {
			this.dropping = false;
			logger.info("MQTT client {} reads again: QoS 0 messages flow again", remote(ctx));
		}
		return behind;
	}

	/**
	 * Answers that confirm stored state: PUBACK and PUBREC (retained messages, messages queued
	 * for offline sessions) and, for a session that outlives its connection, CONNACK accepting
	 * it, SUBACK and UNSUBACK. (A refusing CONNACK goes out at once: the connection closes next.)
	 */
	private boolean mustBeDurableFirst(Object msg) {
		if (!(msg instanceof MqttMessage message) || message.fixedHeader() == null) {
			return false;
		}
		return switch (message.fixedHeader().messageType()) {
			case PUBACK, PUBREC -> true;
			case CONNACK -> this.persistentSession && ((MqttConnAckMessage) message).variableHeader()
				.connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED;
			case SUBACK, UNSUBACK -> this.persistentSession;
			default -> false;
		};
	}

	/**
	 * Settles once the CONNACK is written and the engine's own completion work has run. The
	 * engine registers that work on the same write before it runs the command that set
	 * {@link #engineCaughtUp}, so a listener added now is notified after it.
	 */
	private void settleAfterConnAck(ChannelHandlerContext ctx) {
		if (this.engineCaughtUp && this.connAckWrite != null && !this.settled) {
			this.connAckWrite.addListener((ChannelFuture written) -> settle(ctx));
		}
	}

	private void settle(ChannelHandlerContext ctx) {
		if (this.settled) {
			return;
		}
		this.settled = true;
		boolean accepted = this.connAckAccepted && this.connAckWrite.isSuccess();
		if (accepted) {
			this.observation.accepted();
		}
		MqttMessage next;
		while ((next = this.held.poll()) != null) {
			if (accepted) {
				forward(ctx, next);
			}
			else {
				ReferenceCountUtil.release(next);
			}
		}
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
			ctx.channel().config().setAutoRead(!this.pausedForEngine);
		}
	}

	private void forward(ChannelHandlerContext ctx, MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type == MqttMessageType.DISCONNECT) {
			this.disconnected = true;
		}
		else if (type == MqttMessageType.PUBREL) {
			this.unreleasedQos2.remove(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
		}
		this.observation.inbound(message);
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
	 * (even QoS 1 publishes, never acknowledged) when full. Every {@value #PROBE_EVERY} packets a
	 * probe joins this client's commands; while two probes wait, nothing more is read from the
	 * client, so one fast client cannot have more than a few hundred commands queued.
	 */
	private void probeEngine(ChannelHandlerContext ctx) {
		this.probesWaiting++;
		boolean queued = this.core.afterQueuedCommands(this.clientId, () -> ctx.executor().execute(() -> {
			this.probesWaiting--;
			if (this.pausedForEngine && this.probesWaiting <= 1) {
				this.pausedForEngine = false;
				ctx.channel().config().setAutoRead(true);
			}
		}));
		if (!queued) {
			// The queue is full right now: stop reading and try again shortly.
			this.probesWaiting--;
			this.pausedForEngine = true;
			ctx.channel().config().setAutoRead(false);
			ctx.executor().schedule(() -> probeEngine(ctx), 10, TimeUnit.MILLISECONDS);
			return;
		}
		if (this.probesWaiting >= 2 && !this.pausedForEngine) {
			this.pausedForEngine = true;
			ctx.channel().config().setAutoRead(false);
		}
	}

	/** The rule this packet breaks, or null. */
	private String violation(MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type == MqttMessageType.CONNECT) {
			if (this.connectSeen) {
				return "a second CONNECT on one connection (MQTT-3.1.0-2)";
			}
			MqttConnectPayload payload = ((MqttConnectMessage) message).payload();
			return badText("client id", payload.clientIdentifier(), badText("will topic", payload.willTopic(),
					badText("user name", payload.userName(), null)));
		}
		if (!this.connectSeen) {
			return "a " + type + " before CONNECT (MQTT-3.1.0-1)";
		}
		if (type == MqttMessageType.PUBLISH) {
			return badText("topic", ((MqttPublishMessage) message).variableHeader().topicName(), null);
		}
		if (type == MqttMessageType.SUBSCRIBE) {
			List<MqttTopicSubscription> filters = ((MqttSubscribeMessage) message).payload().topicSubscriptions();
			if (filters.isEmpty()) {
				return "a SUBSCRIBE without any topic filter (MQTT-3.8.3-3)";
			}
			String bad = null;
			for (MqttTopicSubscription filter : filters) {
				bad = badText("topic filter", filter.topicFilter(), bad);
			}
			return bad;
		}
		if (type == MqttMessageType.UNSUBSCRIBE) {
			List<String> filters = ((MqttUnsubscribeMessage) message).payload().topics();
			if (filters.isEmpty()) {
				return "an UNSUBSCRIBE without any topic filter (MQTT-3.10.3-2)";
			}
			String bad = null;
			for (String filter : filters) {
				bad = badText("topic filter", filter, bad);
			}
			return bad;
		}
		return null;
	}

	/**
	 * MQTT-1.5.3-1 and MQTT-1.5.3-2: strings must be well-formed UTF-8 without U+0000. The decoder
	 * turns ill-formed UTF-8 into U+FFFD, so that character stands for it here.
	 * @return {@code earlier} when there is one, else the violation of {@code text}, else null
	 */
	private static String badText(String what, String text, String earlier) {
		if (earlier != null || text == null) {
			return earlier;
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\u0000') {
				return "a " + what + " with the character U+0000 (MQTT-1.5.3-2)";
			}
			if (c == '\uFFFD') {
				return "a " + what + " that is not well-formed UTF-8 (MQTT-1.5.3-1)";
			}
		}
		return null;
	}

	private boolean isDuplicateQos2(MqttMessage message) {
		if (message.fixedHeader().messageType() != MqttMessageType.PUBLISH
				|| message.fixedHeader().qosLevel() != MqttQoS.EXACTLY_ONCE) {
			return false;
		}
		return !this.unreleasedQos2.add(((MqttPublishMessage) message).variableHeader().packetId());
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
		if (this.settled) {
			this.engine.channelReadComplete(ctx);
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.connectionEnded = true;
		if (this.countedIn) {
			this.countedIn = false;
			this.limits.disconnected();
		}
		if (this.connectSeen && !this.settled && !this.engineHasConnect) {
			// Its credentials are still being checked: the engine never knew this connection.
			this.settled = true;
			releaseHeld();
			return;
		}
		if (this.connectSeen && !this.settled) {
			// The engine is still accepting this connection: end it once that is done.
			return;
		}
		endConnection(ctx);
	}

	private void endConnection(ChannelHandlerContext ctx) {
		this.observation.ended(this.disconnected);
		if (!this.engineHasConnect || this.disconnected) {
			// Never connected, or the engine already closed the session for the DISCONNECT:
			// reporting the closed socket as a lost connection could publish the will
			// (MQTT-3.1.2-10, MQTT-3.14.4-3).
			return;
		}
		if (this.retainedWill != null && this.connAckAccepted) {
			MqttPublishMessage will = this.retainedWill;
			this.retainedWill = null;
			this.core.internalPublish(will);
		}
		try {
			this.engine.channelInactive(ctx);
		}
		catch (Exception ex) {
			logger.warn("Ending the MQTT session of {} failed", remote(ctx), ex);
		}
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
		if (this.settled) {
			this.engine.channelWritabilityChanged(ctx);
		}
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
		this.engine.userEventTriggered(ctx, evt);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (cause instanceof java.io.IOException) {
			// Resets, broken pipes, closed channels: the network's doing, not worth a log line.
			logger.debug("MQTT connection from {} failed: {}", remote(ctx), cause.toString());
		}
		else {
			logger.warn("Closed MQTT connection from {}: {}", remote(ctx), cause.toString());
			logger.debug("Connection failure", cause);
		}
		ctx.close();
	}

	private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
		Object remote = remote(ctx);
		if (cause instanceof TooLongFrameException) {
			logger.warn("Closed MQTT connection from {}: packet larger than {} bytes (mqtthub.broker.max-message-size)",
					remote, this.maxMessageBytes);
			ctx.close();
		}
		else if (cause instanceof MqttUnacceptableProtocolVersionException) {
			// MQTT-3.1.2-2: answer with CONNACK 0x01, then disconnect.
			logger.warn("Refused MQTT connection from {}: unsupported protocol version", remote);
			connAckThenClose(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
		}
		else if (cause instanceof MqttIdentifierRejectedException) {
			logger.warn("Refused MQTT connection from {}: invalid client identifier", remote);
			connAckThenClose(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
		}
		else {
			logger.warn("Closed MQTT connection from {}: malformed packet ({})", remote, cause.getMessage());
			ctx.close();
		}
	}

	private void connAckThenClose(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
		// Written from here, this CONNACK does not pass this handler's write().
		this.observation.refused();
		ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
			.addListener(ChannelFutureListener.CLOSE);
	}

}

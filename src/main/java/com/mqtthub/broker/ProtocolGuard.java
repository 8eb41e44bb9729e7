package com.mqtthub.broker;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks each decoded packet of one connection against the MQTT 3.1.1 rules that the broker's
 * engine does not enforce itself, before the engine sees it. An offending connection is closed
 * with one clear log line (no stack trace), so one bad client cannot flood the log.
 * <p>
 * It also holds back packets that a client sends right behind its CONNECT (as MQTT allows) until
 * the engine has finished accepting the connection: the engine would otherwise see them as sent
 * on a closed connection and drop the client.
 */
final class ProtocolGuard extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ProtocolGuard.class);

	private final int maxMessageBytes;

	/** The engine marks a connection ready by adding this handler once its CONNACK is out. */
	private static final String ENGINE_READY_MARKER = "inflightResender";

	/** How long to wait for the engine to get ready before passing held packets on anyway. */
	private static final int READY_WAIT_MILLIS = 5_000;

	private boolean connected;

	private boolean ready;

	/** A DISCONNECT reached the engine: the connection ends cleanly, without its will. */
	private boolean disconnected;

	private final Queue<Object> held = new ArrayDeque<>();

	/** QoS 2 packet ids received and not yet released by PUBREL (MQTT-4.3.3-2). */
	private final Set<Integer> unreleasedQos2 = new HashSet<>();

	ProtocolGuard(int maxMessageBytes) {
		this.maxMessageBytes = maxMessageBytes;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (!(msg instanceof MqttMessage message)) {
			ctx.fireChannelRead(msg);
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
			logger.warn("Closed MQTT connection from {}: {}", ctx.channel().remoteAddress(), violation);
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
		if (this.connected && !this.ready && message.fixedHeader().messageType() != MqttMessageType.CONNECT) {
			this.held.add(message);
			ctx.channel().config().setAutoRead(false);
			return;
		}
		forward(ctx, message);
	}

	private void forward(ChannelHandlerContext ctx, MqttMessage message) {
		if (message.fixedHeader().messageType() == MqttMessageType.DISCONNECT) {
			this.disconnected = true;
		}
		ctx.fireChannelRead(message);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttConnAckMessage connAck && !this.ready
				&& connAck.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
			promise.addListener((written) -> {
				if (written.isSuccess()) {
					releaseWhenEngineReady(ctx, System.nanoTime());
				}
			});
		}
		super.write(ctx, msg, promise);
	}

	private void releaseWhenEngineReady(ChannelHandlerContext ctx, long since) {
		if (!ctx.channel().isActive()) {
			releaseHeld();
			return;
		}
		boolean engineReady = ctx.pipeline().get(ENGINE_READY_MARKER) != null;
		if (!engineReady && System.nanoTime() - since < TimeUnit.MILLISECONDS.toNanos(READY_WAIT_MILLIS)) {
			ctx.executor().schedule(() -> releaseWhenEngineReady(ctx, since), 1, TimeUnit.MILLISECONDS);
			return;
		}
		this.ready = true;
		Object next;
		while ((next = this.held.poll()) != null) {
			forward(ctx, (MqttMessage) next);
		}
		ctx.fireChannelReadComplete();
		ctx.channel().config().setAutoRead(true);
	}

	private void releaseHeld() {
		Object next;
		while ((next = this.held.poll()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		releaseHeld();
		if (this.disconnected) {
			// The engine has already closed the session for the DISCONNECT; reporting the closed
			// socket as a lost connection too would race it and could publish the will
			// (MQTT-3.1.2-10, MQTT-3.14.4-3).
			return;
		}
		super.channelInactive(ctx);
	}

	/** The rule this packet breaks, or null. Also tracks the connection's state. */
	private String violation(MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type == MqttMessageType.CONNECT) {
			if (this.connected) {
				return "a second CONNECT on one connection (MQTT-3.1.0-2)";
			}
			this.connected = true;
			return null;
		}
		if (!this.connected) {
			return "a " + type + " before CONNECT (MQTT-3.1.0-1)";
		}
		if (type == MqttMessageType.SUBSCRIBE
				&& ((MqttSubscribeMessage) message).payload().topicSubscriptions().isEmpty()) {
			return "a SUBSCRIBE without any topic filter (MQTT-3.8.3-3)";
		}
		if (type == MqttMessageType.UNSUBSCRIBE && ((MqttUnsubscribeMessage) message).payload().topics().isEmpty()) {
			return "an UNSUBSCRIBE without any topic filter (MQTT-3.10.3-2)";
		}
		if (type == MqttMessageType.PUBREL) {
			this.unreleasedQos2.remove(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
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

	private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
		Object remote = ctx.channel().remoteAddress();
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

	private static void connAckThenClose(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
		ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
			.addListener(ChannelFutureListener.CLOSE);
	}

}

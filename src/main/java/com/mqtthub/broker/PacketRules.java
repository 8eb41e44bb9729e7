package com.mqtthub.broker;

import java.util.List;

import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 3.1.1 packet rules the engine does not enforce itself, checked on every decoded packet
 * before anything else sees it. An offending connection is closed with one clear log line (no
 * stack trace, no client-controlled text), so one bad client cannot flood or forge the log;
 * a CONNECT with an unacceptable protocol level or client id gets its CONNACK code first.
 */
final class PacketRules extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(PacketRules.class);

	/** Any stranger can send these at will: a burst of them must not flood the log. */
	private static final RateLimitedLog refusals = new RateLimitedLog(logger,
			"CONNECTs refused for their protocol version or client id");

	/** Likewise any stranger can send broken packets at will. */
	private static final RateLimitedLog closed = new RateLimitedLog(logger,
			"connections closed for malformed, oversized or out-of-order packets");

	private final ClientAddresses addresses;

	private final int maxMessageBytes;

	private final Runnable onRefused;

	private final RarePacketHandlers rare;

	/** A CONNECT has been read on this connection. */
	private boolean connectSeen;

	/** The user and client id of the CONNECT, for {@link RetainedLimits} when it joins. */
	private String username;

	private String clientId;

	private boolean qos2ReceiptsAdded;

	private boolean retainedLimitsAdded;

	/**
	 * @param onRefused told when a CONNECT is refused here
	 * @param rare adds the handlers of rare packets with the first one, which passes here first
	 */
	PacketRules(ClientAddresses addresses, int maxMessageBytes, Runnable onRefused, RarePacketHandlers rare) {
		this.addresses = addresses;
		this.maxMessageBytes = maxMessageBytes;
		this.onRefused = onRefused;
		this.rare = rare;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
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
			closed.warn("Closed MQTT connection from {}: {}", remote(ctx), violation);
			ctx.close();
			return;
		}
		if (message instanceof MqttConnectMessage connect) {
			this.connectSeen = true;
			this.username = connect.payload().userName();
			this.clientId = connect.payload().clientIdentifier();
		}
		else if (message instanceof MqttPublishMessage publish) {
			addRareHandlers(ctx, publish);
		}
		ctx.fireChannelRead(msg);
	}

	private void addRareHandlers(ChannelHandlerContext ctx, MqttPublishMessage publish) {
		if (!this.qos2ReceiptsAdded && RarePacketHandlers.needsQos2Receipts(publish)) {
			this.qos2ReceiptsAdded = true;
			this.rare.addQos2Receipts(ctx);
		}
		if (!this.retainedLimitsAdded && RarePacketHandlers.needsRetainedLimits(publish)) {
			this.retainedLimitsAdded = true;
			this.rare.addRetainedLimits(ctx, this.username, this.clientId);
		}
	}

	private Object remote(ChannelHandlerContext ctx) {
		return this.addresses.resolve(ctx.channel().remoteAddress());
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

	private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
		Object remote = remote(ctx);
		if (cause instanceof TooLongFrameException) {
			closed.warn("Closed MQTT connection from {}: packet larger than {} bytes (mqtthub.broker.max-message-size)",
					remote, this.maxMessageBytes);
			ctx.close();
		}
		else if (cause instanceof MqttUnacceptableProtocolVersionException) {
			// MQTT-3.1.2-2: answer with CONNACK 0x01, then disconnect.
			refusals.warn("Refused MQTT connection from {}: unsupported protocol version", remote);
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
		}
		else if (cause instanceof MqttIdentifierRejectedException) {
			refusals.warn("Refused MQTT connection from {}: invalid client identifier", remote);
			refuse(ctx, MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
		}
		else {
			// The decoder's message can quote what the client sent: the class names the fault well enough.
			closed.warn("Closed MQTT connection from {}: malformed packet ({})", remote,
					cause.getClass().getSimpleName());
			ctx.close();
		}
	}

	private void refuse(ChannelHandlerContext ctx, MqttConnectReturnCode code) {
		this.onRefused.run();
		ctx.writeAndFlush(MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build())
			.addListener(ChannelFutureListener.CLOSE);
	}

}

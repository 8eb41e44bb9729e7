package com.mqtthub.broker;

import java.util.HashMap;
import java.util.Map;

import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QoS 2 receipts of one connection: a QoS 2 PUBLISH whose packet id was received and not yet
 * released by PUBREL is answered with PUBREC again and not delivered again (MQTT-4.3.3-2), which
 * the engine alone would do.
 * <p>
 * The engine keeps every such PUBLISH, payload and all, until its PUBREL: a client that never
 * sends PUBREL could make it hold 65,535 of them. At most {@code maxUnreleased} of them, and
 * {@code maxUnreleasedBytes} of their payloads, may wait; one more closes the connection
 * (counted as {@link Limit#UNRELEASED_QOS2}).
 */
final class Qos2Receipts extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(Qos2Receipts.class);

	private static final RateLimitedLog closed = new RateLimitedLog(logger,
			"connections closed for QoS 2 messages never released");

	/** Payload bytes of the packet ids received and not yet released; null until the first QoS 2 PUBLISH. */
	private Map<Integer, Integer> unreleased;

	private long unreleasedBytes;

	private final int maxUnreleased;

	private final long maxUnreleasedBytes;

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	Qos2Receipts(int maxUnreleased, long maxUnreleasedBytes, BrokerLimits limits, ClientAddresses addresses) {
		this.maxUnreleased = maxUnreleased;
		this.maxUnreleasedBytes = maxUnreleasedBytes;
		this.limits = limits;
		this.addresses = addresses;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttMessage message && message.fixedHeader() != null) {
			MqttMessageType type = message.fixedHeader().messageType();
			if (type == MqttMessageType.PUBLISH && message.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE
					&& !received(ctx, (MqttPublishMessage) message)) {
				return;
			}
			if (type == MqttMessageType.PUBREL) {
				Integer bytes = (this.unreleased != null)
						? this.unreleased.remove(((MqttMessageIdVariableHeader) message.variableHeader()).messageId())
						: null;
				if (bytes != null) {
					this.unreleasedBytes -= bytes;
				}
			}
		}
		ctx.fireChannelRead(msg);
	}

	/** Records a QoS 2 PUBLISH; false when it was answered or refused here (and released). */
	private boolean received(ChannelHandlerContext ctx, MqttPublishMessage publish) {
		int packetId = publish.variableHeader().packetId();
		if (this.unreleased == null) {
			this.unreleased = new HashMap<>();
		}
		if (!this.unreleased.containsKey(packetId)) {
			int bytes = publish.payload().readableBytes();
			if (this.unreleased.size() >= this.maxUnreleased || this.unreleasedBytes + bytes > this.maxUnreleasedBytes) {
				ReferenceCountUtil.release(publish);
				this.limits.refused(Limit.UNRELEASED_QOS2);
				closed.warn("Closed MQTT connection from {}: {} QoS 2 messages ({} bytes) received and never released "
						+ "by PUBREL (mqtthub.broker.max-unreleased-qos2)", this.addresses.resolve(ctx.channel().remoteAddress()),
						this.unreleased.size(), this.unreleasedBytes);
				ctx.close();
				return false;
			}
			this.unreleased.put(packetId, bytes);
			this.unreleasedBytes += bytes;
			return true;
		}
		// Sent again before its PUBREL: acknowledged again, delivered once.
		ReferenceCountUtil.release(publish);
		ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREC, false, MqttQoS.AT_MOST_ONCE,
				false, 2), MqttMessageIdVariableHeader.from(packetId)));
		return false;
	}

}

package com.mqtthub.broker;

import java.util.HashSet;
import java.util.Set;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * QoS 2 receipts of one connection: a QoS 2 PUBLISH whose packet id was received and not yet
 * released by PUBREL is answered with PUBREC again and not delivered again (MQTT-4.3.3-2), which
 * the engine alone would do.
 */
final class Qos2Receipts extends ChannelInboundHandlerAdapter {

	/** Packet ids received and not yet released. */
	private final Set<Integer> unreleased = new HashSet<>();

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttMessage message && message.fixedHeader() != null) {
			MqttMessageType type = message.fixedHeader().messageType();
			if (type == MqttMessageType.PUBLISH && message.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE
					&& !this.unreleased.add(((MqttPublishMessage) message).variableHeader().packetId())) {
				int packetId = ((MqttPublishMessage) message).variableHeader().packetId();
				ReferenceCountUtil.release(msg);
				ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREC, false,
						MqttQoS.AT_MOST_ONCE, false, 2), MqttMessageIdVariableHeader.from(packetId)));
				return;
			}
			if (type == MqttMessageType.PUBREL) {
				this.unreleased.remove(((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
			}
		}
		ctx.fireChannelRead(msg);
	}

}

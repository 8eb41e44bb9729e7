package com.mqtthub.broker;

import java.util.function.Predicate;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

/**
 * Sets RETAIN 1 on a retained message sent because of a new subscription (MQTT-3.3.1-8): the
 * engine sends those with RETAIN 0 at QoS 1 and 2. Messages forwarded live keep RETAIN 0
 * (MQTT-3.3.1-9).
 */
@ChannelHandler.Sharable
final class RetainFlag extends ChannelOutboundHandlerAdapter {

	/** The engine's answer: was this payload sent because of a new subscription (once per payload)? */
	private final Predicate<ByteBuf> sentForNewSubscription;

	RetainFlag(Predicate<ByteBuf> sentForNewSubscription) {
		this.sentForNewSubscription = sentForNewSubscription;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttPublishMessage publish && this.sentForNewSubscription.test(publish.content())
				&& !publish.fixedHeader().isRetain()) {
			MqttFixedHeader header = publish.fixedHeader();
			msg = new MqttPublishMessage(new MqttFixedHeader(header.messageType(), header.isDup(), header.qosLevel(),
					true, header.remainingLength()), publish.variableHeader(), publish.content());
		}
		ctx.write(msg, promise);
	}

}

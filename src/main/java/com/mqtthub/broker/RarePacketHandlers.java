package com.mqtthub.broker;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * Brings the handlers of packets most connections never send into a connection's pipeline with
 * the first such packet, just before the hand-off to the engine: {@link Qos2Receipts} with the
 * first QoS 2 PUBLISH, {@link RetainedLimits} with the first PUBLISH with RETAIN 1. A handler in
 * the pipeline costs a context (64 bytes) besides its own fields on every connection, idle or not:
 * about 0.2 KB per connection for these two. One for all connections: it holds no state of one.
 */
final class RarePacketHandlers {

	static final String QOS2_RECEIPTS = "qos2Receipts";

	static final String RETAINED_LIMITS = "retainedLimits";

	private final BrokerLimits limits;

	private final RetainedQuota retainedQuota;

	private final ClientAddresses addresses;

	/** The name of the handler they go before (the hand-off to the engine). */
	private final String before;

	RarePacketHandlers(BrokerLimits limits, RetainedQuota retainedQuota, ClientAddresses addresses, String before) {
		this.limits = limits;
		this.retainedQuota = retainedQuota;
		this.addresses = addresses;
		this.before = before;
	}

	/** Whether {@code publish} needs {@link Qos2Receipts}. */
	static boolean needsQos2Receipts(MqttPublishMessage publish) {
		return publish.fixedHeader().qosLevel() == MqttQoS.EXACTLY_ONCE;
	}

	/** Whether {@code publish} needs {@link RetainedLimits}. */
	static boolean needsRetainedLimits(MqttPublishMessage publish) {
		return publish.fixedHeader().isRetain();
	}

	/**
	 * Adds {@link Qos2Receipts} to the pipeline of {@code ctx}; called on the connection's event
	 * loop by a handler before it, so the PUBLISH it passes on next goes through it.
	 */
	void addQos2Receipts(ChannelHandlerContext ctx) {
		// Ahead of the retained limits when they came first, as when both were there from the start.
		ChannelPipeline pipeline = ctx.pipeline();
		String next = (pipeline.context(RETAINED_LIMITS) != null) ? RETAINED_LIMITS : this.before;
		pipeline.addBefore(next, QOS2_RECEIPTS, new Qos2Receipts(this.limits.maxUnreleasedQos2(),
				this.limits.maxClientBacklogBytes(), this.limits, this.addresses));
	}

	/**
	 * Adds {@link RetainedLimits} for the user and client id of the connection's CONNECT (the
	 * user the engine stores retained messages for), likewise.
	 */
	void addRetainedLimits(ChannelHandlerContext ctx, String username, String clientId) {
		ctx.pipeline().addBefore(this.before, RETAINED_LIMITS, new RetainedLimits(this.retainedQuota, username, clientId));
	}

}

package com.mqtthub.broker;

import com.mqtthub.security.LogSafe;
import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a client's retained messages within the limits of {@link RetainedQuota}: a PUBLISH with
 * RETAIN 1 that would exceed one goes on to the engine with RETAIN 0, so it is delivered to
 * current subscribers like any other message and not stored; the topic keeps its previous
 * retained message. Each refusal is counted; the connection logs at most one line every few
 * seconds, and all connections together at most {@value RateLimitedLog#DEFAULT_LINES} lines a
 * minute. One per connection that sends a retained message, before the hand-off to the engine
 * ({@link RarePacketHandlers} adds it with the first); the user is the one its CONNECT names (the
 * one the engine stores the message for).
 */
final class RetainedLimits extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(RetainedLimits.class);

	/** At most one line per connection in this many nanoseconds. */
	static final long LOG_EVERY_NANOS = 5_000_000_000L;

	/** A client can open connections at will: their lines together are rate-limited too. */
	private static final RateLimitedLog ALL_CONNECTIONS = new RateLimitedLog(logger,
			"connections with retained messages not kept");

	private final RetainedQuota quota;

	private final String username;

	private final String clientId;

	private long lastLogNanos;

	private boolean loggedOnce;

	private long unlogged;

	/**
	 * @param username the user the connection's CONNECT names, or null
	 * @param clientId the client id its CONNECT names
	 */
	RetainedLimits(RetainedQuota quota, String username, String clientId) {
		this.quota = quota;
		this.username = username;
		this.clientId = clientId;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttPublishMessage publish && publish.fixedHeader().isRetain()) {
			String topic = publish.variableHeader().topicName();
			Limit refused = this.quota.check(this.username, topic, publish.content().readableBytes());
			if (refused != null) {
				log(topic, refused);
				MqttFixedHeader header = publish.fixedHeader();
				msg = new MqttPublishMessage(new MqttFixedHeader(header.messageType(), header.isDup(),
						header.qosLevel(), false, header.remainingLength()), publish.variableHeader(),
						publish.content());
			}
		}
		ctx.fireChannelRead(msg);
	}

	private void log(String topic, Limit limit) {
		this.unlogged++;
		long now = System.nanoTime();
		if (this.loggedOnce && now - this.lastLogNanos < LOG_EVERY_NANOS) {
			return;
		}
		this.loggedOnce = true;
		this.lastLogNanos = now;
		ALL_CONNECTIONS.warn("Not retaining messages of MQTT client '{}' (user '{}'), last on '{}': limit {} "
				+ "reached ({} refused since the last line); they are delivered, and their topics keep their previous "
				+ "retained message", LogSafe.text(this.clientId), LogSafe.text(this.username), LogSafe.text(topic),
				limit.tag(), this.unlogged);
		this.unlogged = 0;
	}

}

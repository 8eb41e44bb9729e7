package com.mqtthub.broker;

import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the topics a client publishes to ({@link TopicLimits}: levels and bytes), before the
 * engine or the topic rules see them. A PUBLISH beyond them closes the connection; a CONNECT
 * whose will topic is beyond them gets CONNACK 5, as a will the user may not publish to. Each
 * is counted per limit; the log lines are rate-limited across all connections and never quote
 * the topic. It keeps no state of a connection: one instance serves them all.
 */
@ChannelHandler.Sharable
final class PublishTopicLimits extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(PublishTopicLimits.class);

	/** Shared by every connection: a crowd of offenders still writes a few lines a minute. */
	private static final RateLimitedLog LOG = new RateLimitedLog(logger, "connections refused or closed for a topic beyond the bounds");

	private final TopicLimits bounds;

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	private final Runnable onRefused;

	/**
	 * @param onRefused told when a CONNECT is refused here
	 */
	PublishTopicLimits(BrokerLimits limits, ClientAddresses addresses, Runnable onRefused) {
		this.bounds = limits.topics();
		this.limits = limits;
		this.addresses = addresses;
		this.onRefused = onRefused;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttPublishMessage publish) {
			Limit broken = this.bounds.violation(publish.variableHeader().topicName());
			if (broken != null) {
				ReferenceCountUtil.release(msg);
				this.limits.refused(broken);
				log(ctx, "Closed MQTT connection from {}: a PUBLISH topic beyond {} ({})", broken);
				ctx.close();
				return;
			}
		}
		else if (msg instanceof MqttConnectMessage connect && connect.variableHeader().isWillFlag()
				&& connect.payload().willTopic() != null) {
			Limit broken = this.bounds.violation(connect.payload().willTopic());
			if (broken != null) {
				this.limits.refused(broken);
				log(ctx, "Refused MQTT connection from {}: a will topic beyond {} ({})", broken);
				this.onRefused.run();
				ctx.writeAndFlush(MqttMessageBuilders.connAck()
					.returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
					.sessionPresent(false)
					.build()).addListener(ChannelFutureListener.CLOSE);
				return;
			}
		}
		ctx.fireChannelRead(msg);
	}

	private void log(ChannelHandlerContext ctx, String format, Limit broken) {
		int bound = (broken == Limit.TOPIC_LEVELS) ? this.bounds.maxLevels() : this.bounds.maxBytes();
		LOG.warn(format, this.addresses.resolve(ctx.channel().remoteAddress()), TopicLimits.setting(broken), bound);
	}

}

package com.mqtthub.broker;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mqtthub.broker.connect-timeout}: a connection that has not sent a whole CONNECT within
 * the deadline after its socket was accepted is closed and counted. The time runs from the
 * accept, so it covers a TLS handshake and a WebSocket upgrade too, and a CONNECT that trickles
 * in a byte at a time (which an idle timeout never catches) ends at the deadline all the same.
 * <p>
 * It sits right behind the MQTT decoder, the first place where a whole CONNECT is seen; where it
 * sits does not change when the time starts (the channel becomes active for every handler at once).
 * Once the CONNECT has passed, it leaves the pipeline.
 */
final class ConnectDeadline extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(ConnectDeadline.class);

	private static final RateLimitedLog timedOut = new RateLimitedLog(logger,
			"connections closed at mqtthub.broker.connect-timeout");

	private final Duration timeout;

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	private ScheduledFuture<?> deadline;

	private boolean met;

	ConnectDeadline(Duration timeout, BrokerLimits limits, ClientAddresses addresses) {
		this.timeout = timeout;
		this.limits = limits;
		this.addresses = addresses;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		if (ctx.channel().isActive()) {
			start(ctx);
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		start(ctx);
		ctx.fireChannelActive();
	}

	private void start(ChannelHandlerContext ctx) {
		if (this.deadline == null && !this.met) {
			this.deadline = ctx.executor().schedule(() -> expire(ctx), this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttConnectMessage && !this.met) {
			this.met = true;
			cancel();
			ctx.fireChannelRead(msg);
			// Nothing left to do here: an idle connection need not keep this handler.
			if (!ctx.isRemoved()) {
				ctx.pipeline().remove(this);
			}
			return;
		}
		ctx.fireChannelRead(msg);
	}

	private void expire(ChannelHandlerContext ctx) {
		if (this.met || !ctx.channel().isOpen()) {
			return;
		}
		this.limits.refused(Limit.CONNECT_TIMEOUT);
		timedOut.warn("Closed MQTT connection from {}: no CONNECT within {} ms (mqtthub.broker.connect-timeout)",
				this.addresses.resolve(ctx.channel().remoteAddress()), this.timeout.toMillis());
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		cancel();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		cancel();
	}

	private void cancel() {
		if (this.deadline != null) {
			this.deadline.cancel(false);
			this.deadline = null;
		}
	}

}

package com.mqtthub.broker;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slow clients: a QoS 0 message for a client that has more than the slow-client buffer waiting
 * unread is dropped (MQTT lets a server drop it, it was never promised), which keeps memory
 * bounded while others keep receiving. Drops are counted and logged once per slow spell.
 * Sits at the tail of the pipeline, so that it sees what the engine writes first.
 */
final class SlowClientShedding extends ChannelOutboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(SlowClientShedding.class);

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	/** QoS 0 messages are being dropped for this client. */
	private boolean dropping;

	/** The warning was logged for this connection: a client that keeps falling behind is logged once. */
	private boolean warned;

	SlowClientShedding(BrokerLimits limits, ClientAddresses addresses) {
		this.limits = limits;
		this.addresses = addresses;
	}

	/**
	 * The last write handed on while more than a quarter of the slow-client buffer was unread, or
	 * null: when it has gone out, so has most of what was unread ({@link #whenCaughtUp}). Event
	 * loop only.
	 */
	private ChannelPromise lastWhileBehind;

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
		long unread = (buffer != null) ? buffer.totalPendingWriteBytes() : 0;
		if (isDroppable(ctx, msg, unread)) {
			ReferenceCountUtil.release(msg);
			promise.trySuccess();
			return;
		}
		this.lastWhileBehind = (!promise.isVoid() && unread > this.limits.slowClientBufferBytes() / 4) ? promise : null;
		ctx.write(msg, promise);
	}

	/**
	 * Runs {@code then} on the event loop once what this client had unread has gone out to it
	 * (or its connection has ended): at once when little was unread. Call on the event loop.
	 */
	void whenCaughtUp(Runnable then) {
		ChannelPromise last = this.lastWhileBehind;
		if (last == null || last.isDone()) {
			then.run();
			return;
		}
		last.addListener((written) -> then.run());
	}

	private boolean isDroppable(ChannelHandlerContext ctx, Object msg, long unread) {
		if (!(msg instanceof MqttPublishMessage publish) || publish.fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE) {
			return false;
		}
		boolean behind = unread > this.limits.slowClientBufferBytes();
		if (behind) {
			this.limits.droppedForSlowClient();
			if (!this.dropping) {
				this.dropping = true;
				if (!this.warned) {
					this.warned = true;
					logger.warn("MQTT client {} is not reading: dropping QoS 0 messages for it while it is behind"
							+ " (mqtthub.broker.slow-client-buffer; counted in mqtthub_messages_dropped_total)",
							this.addresses.resolve(ctx.channel().remoteAddress()));
				}
			}
		}
		else if (this.dropping) {
			this.dropping = false;
			logger.debug("MQTT client {} reads again: QoS 0 messages flow again",
					this.addresses.resolve(ctx.channel().remoteAddress()));
		}
		return behind;
	}

}

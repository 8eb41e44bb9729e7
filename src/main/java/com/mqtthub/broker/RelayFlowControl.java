package com.mqtthub.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in the pipeline of an in-process connection: gives it the bounds a socket has.
 * <p>
 * What the broker writes stays in the channel's own outbound buffer (not flushed) while the
 * relay holds a window's worth the client has not taken, so it counts toward the channel's
 * writability and the slow-client limits exactly as data waiting for a slow TCP socket does.
 * What the broker reads is reported taken, which lets the relay send more.
 */
final class RelayFlowControl extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(RelayFlowControl.class);

	private final ClientAddresses addresses;

	private RelayLink link;

	/** Written and not yet flushed to the relay. */
	private long unflushed;

	/** A flush waits for the window to open. */
	private boolean held;

	RelayFlowControl(ClientAddresses addresses) {
		this.addresses = addresses;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.link = this.addresses.link(ctx.channel().remoteAddress());
		if (this.link == null) {
			// Only the relay connects here, and it registers its link first.
			logger.warn("Closed an in-process MQTT connection from {} that no relay registered",
					ctx.channel().remoteAddress());
			ctx.close();
			return;
		}
		this.link.toClient().onOpen(() -> ctx.executor().execute(() -> reopen(ctx)));
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		long bytes = size(msg);
		ctx.fireChannelRead(msg);
		if (this.link != null) {
			this.link.toBroker().taken(bytes);
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		this.unflushed += size(msg);
		ctx.write(msg, promise);
	}

	@Override
	public void flush(ChannelHandlerContext ctx) {
		if (this.link == null || this.link.toClient().isOpen()) {
			flushNow(ctx);
		}
		else {
			this.held = true;
		}
	}

	private void reopen(ChannelHandlerContext ctx) {
		if (this.held && this.link.toClient().isOpen()) {
			flushNow(ctx);
		}
	}

	private void flushNow(ChannelHandlerContext ctx) {
		this.held = false;
		if (this.link != null) {
			this.link.toClient().sent(this.unflushed);
		}
		this.unflushed = 0;
		ctx.flush();
	}

	private static long size(Object msg) {
		if (msg instanceof ByteBuf data) {
			return data.readableBytes();
		}
		return (msg instanceof ByteBufHolder holder) ? holder.content().readableBytes() : 0;
	}

}

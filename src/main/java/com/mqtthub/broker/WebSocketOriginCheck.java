package com.mqtthub.broker;

import java.util.List;

import com.mqtthub.security.LogSafe;
import com.mqtthub.security.Origins;
import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mqtthub.broker.websocket.allowed-origins}: keeps pages of other sites from using a
 * visitor's browser to open MQTT over WebSocket on the broker's own listener. A request passes
 * when it has no {@code Origin} (devices, command line tools), when its {@code Origin} names the
 * request's own host whatever the scheme and port (the console is on the web port, this listener
 * on another), or when its {@code Origin} is listed. Any other is answered 403 before the upgrade,
 * counted, and the connection closed.
 */
@Sharable
final class WebSocketOriginCheck extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(WebSocketOriginCheck.class);

	/** Any page on the web can make browsers send these: a flood of them must not flood the log. */
	private static final RateLimitedLog refusals = new RateLimitedLog(logger,
			"refused WebSocket handshakes from other sites");

	private final List<String> allowedOrigins;

	private final BrokerLimits limits;

	WebSocketOriginCheck(List<String> allowedOrigins, BrokerLimits limits) {
		this.allowedOrigins = List.copyOf(allowedOrigins);
		this.limits = limits;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (!(msg instanceof FullHttpRequest request) || isAllowed(request)) {
			ctx.fireChannelRead(msg);
			return;
		}
		String origin = request.headers().get(HttpHeaderNames.ORIGIN);
		ReferenceCountUtil.release(msg);
		this.limits.refused(Limit.WEBSOCKET_ORIGIN);
		refusals.warn("Refused MQTT over WebSocket from {}: Origin '{}' is another site "
				+ "(mqtthub.broker.websocket.allowed-origins)", ctx.channel().remoteAddress(), LogSafe.text(origin));
		FullHttpResponse forbidden = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.FORBIDDEN);
		forbidden.headers()
			.set(HttpHeaderNames.CONTENT_LENGTH, 0)
			.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
		ctx.writeAndFlush(forbidden).addListener(ChannelFutureListener.CLOSE);
	}

	private boolean isAllowed(FullHttpRequest request) {
		String origin = request.headers().get(HttpHeaderNames.ORIGIN);
		return origin == null || Origins.sameHost(origin, request.headers().get(HttpHeaderNames.HOST))
				|| Origins.isListed(origin, this.allowedOrigins);
	}

}

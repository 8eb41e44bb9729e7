package com.mqtthub.bench;

import java.net.URI;

import com.mqtthub.broker.WebSocketFrameCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;

/**
 * MQTT over WebSocket for the load tool ({@code --ws-path}): the HTTP upgrade with the subprotocol
 * {@code mqtt}, then MQTT bytes in binary frames (the broker's own {@link WebSocketFrameCodec}). The
 * MQTT client behind it sees its channel become active only once the upgrade is done, so it sends
 * CONNECT as it would over TCP.
 */
final class WebSocketTransport extends ChannelInboundHandlerAdapter {

	/** Largest frame accepted from the broker; a message of the largest payload fits. */
	private static final int MAX_FRAME_BYTES = (1 << 20) + 65_536;

	private WebSocketTransport() {
	}

	static void addTo(ChannelPipeline pipeline, String host, int port, String path) {
		WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
			.webSocketUri(URI.create("ws://" + host + ":" + port + path))
			.subprotocol("mqtt")
			.maxFramePayloadLength(MAX_FRAME_BYTES)
			.handshakeTimeoutMillis(30_000)
			.build();
		pipeline.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192), new WebSocketClientProtocolHandler(config),
				new WebSocketTransport(), WebSocketFrameCodec.INSTANCE);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		// Held back until the upgrade completes: the MQTT client writes CONNECT when it is told.
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
		if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
			ctx.fireChannelActive();
		}
		else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
			ctx.fireExceptionCaught(new IllegalStateException("WebSocket upgrade timed out"));
		}
		ctx.fireUserEventTriggered(event);
	}

}

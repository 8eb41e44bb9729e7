package com.mqtthub.broker;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * MQTT over WebSocket: the bytes of binary (and continuation) frames are the MQTT byte stream,
 * and what the broker writes goes out as binary frames, without copying. Public for the load
 * tool, which speaks MQTT over WebSocket the same way.
 */
@Sharable
public final class WebSocketFrameCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

	public static final WebSocketFrameCodec INSTANCE = new WebSocketFrameCodec();

	private WebSocketFrameCodec() {
	}

	@Override
	protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
		out.add(new BinaryWebSocketFrame(bytes.retain()));
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
		if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
			out.add(frame.content().retain());
		}
		else {
			// MQTT-6.0.0-1: MQTT packets travel in binary frames; anything else ends the connection.
			ctx.close();
		}
	}

}

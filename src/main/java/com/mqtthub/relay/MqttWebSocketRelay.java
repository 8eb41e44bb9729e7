package com.mqtthub.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import jakarta.websocket.RemoteEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;

/**
 * Relays each MQTT over WebSocket session on the web server's port to the embedded broker over a
 * TCP connection of its own: bytes pass through unchanged in both directions, so the broker sees
 * an ordinary MQTT client.
 * <p>
 * Back-pressure: the broker connection is read only after the previous chunk has been handed to
 * the browser's socket, and a browser's frames wait while the broker connection is not writable.
 * Whichever side closes first, the other is closed too.
 */
class MqttWebSocketRelay extends AbstractWebSocketHandler {

	private static final Logger logger = LoggerFactory.getLogger(MqttWebSocketRelay.class);

	private static final long WRITE_WAIT_SECONDS = 30;

	private final BrokerConnector connector;

	private final Map<String, Channel> links = new ConcurrentHashMap<>();

	MqttWebSocketRelay(BrokerConnector connector) {
		this.connector = connector;
	}

	/** Relayed sessions currently open. */
	int activeLinks() {
		return this.links.size();
	}

	@Override
	public void afterConnectionEstablished(WebSocketSession session) throws IOException {
		RemoteEndpoint.Async browser = ((NativeWebSocketSession) session)
			.getNativeSession(jakarta.websocket.Session.class)
			.getAsyncRemote();
		ChannelFuture connected = this.connector.connect(new BrokerToBrowser(session, browser));
		if (!connected.awaitUninterruptibly(WRITE_WAIT_SECONDS, TimeUnit.SECONDS) || !connected.isSuccess()) {
			connected.channel().close();
			logger.warn("MQTT over WebSocket from {} refused: the broker is not reachable", session.getRemoteAddress(),
					connected.cause());
			session.close(CloseStatus.SERVICE_RESTARTED.withReason("MQTT broker not reachable"));
			return;
		}
		Channel channel = connected.channel();
		this.connector.relayedFor(channel, session.getRemoteAddress());
		this.links.put(session.getId(), channel);
		channel.closeFuture().addListener(closed -> this.links.remove(session.getId(), channel));
		if (!session.isOpen()) {
			channel.close();
		}
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
		Channel channel = this.links.get(session.getId());
		if (channel == null || !channel.isActive()) {
			session.close(CloseStatus.GOING_AWAY);
			return;
		}
		ChannelFuture written = channel.writeAndFlush(Unpooled.copiedBuffer(message.getPayload()));
		// Holding this (the web server's reading) thread stops reading the browser's socket until
		// the broker has taken what was already sent.
		if (!channel.isWritable() && !written.awaitUninterruptibly(WRITE_WAIT_SECONDS, TimeUnit.SECONDS)) {
			logger.warn("MQTT over WebSocket from {} closed: the broker took no data for {} s",
					session.getRemoteAddress(), WRITE_WAIT_SECONDS);
			channel.close();
			session.close(CloseStatus.SESSION_NOT_RELIABLE);
		}
	}

	@Override
	protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
		// MQTT-6.0.0-1: MQTT control packets travel in binary frames only.
		session.close(CloseStatus.NOT_ACCEPTABLE.withReason("MQTT over WebSocket needs binary frames"));
	}

	@Override
	public void handleTransportError(WebSocketSession session, Throwable exception) throws IOException {
		logger.debug("MQTT over WebSocket transport error from {}", session.getRemoteAddress(), exception);
		closeLink(session);
		if (session.isOpen()) {
			session.close(CloseStatus.SERVER_ERROR);
		}
	}

	@Override
	public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
		closeLink(session);
	}

	@Override
	public boolean supportsPartialMessages() {
		// MQTT over WebSocket is a byte stream: frame boundaries carry no meaning, so pass each
		// fragment on as it comes instead of buffering whole messages.
		return true;
	}

	private void closeLink(WebSocketSession session) {
		Channel channel = this.links.remove(session.getId());
		if (channel != null) {
			channel.close();
		}
	}

	/**
	 * Hands what the broker sends to the browser, one chunk at a time.
	 */
	private static final class BrokerToBrowser extends ChannelInboundHandlerAdapter {

		private final WebSocketSession session;

		private final RemoteEndpoint.Async browser;

		BrokerToBrowser(WebSocketSession session, RemoteEndpoint.Async browser) {
			this.session = session;
			this.browser = browser;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			ctx.read();
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ByteBuffer chunk;
			try {
				ByteBuf data = (ByteBuf) msg;
				chunk = ByteBuffer.allocate(data.readableBytes());
				data.readBytes(chunk);
				chunk.flip();
			}
			finally {
				ReferenceCountUtil.release(msg);
			}
			try {
				this.browser.sendBinary(chunk, result -> {
					if (result.isOK()) {
						ctx.read();
					}
					else {
						ctx.close();
					}
				});
			}
			catch (IllegalStateException ex) {
				// The WebSocket is closing.
				ctx.close();
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws IOException {
			if (this.session.isOpen()) {
				this.session.close(CloseStatus.NORMAL);
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			logger.debug("Broker connection of WebSocket session {} failed", this.session.getId(), cause);
			ctx.close();
		}

	}

}

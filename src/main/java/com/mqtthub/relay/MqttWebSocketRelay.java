package com.mqtthub.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.FlowWindow;
import com.mqtthub.broker.RelayLink;
import io.netty.buffer.ByteBuf;
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
 * connection inside this process ({@link BrokerConnector}): bytes pass through unchanged in both
 * directions, so the broker sees an ordinary MQTT client, with the same pipeline and limits as a
 * TCP client.
 * <p>
 * Back-pressure, bounded by a window of {@link #WINDOW_BYTES} in each direction: a browser's
 * frames wait (the web server stops reading its socket) while the broker has not read a window's
 * worth; the broker's data waits in its own outbound buffer (where the slow-client limits see it)
 * while a window's worth has not reached the browser's socket. Toward the browser, what arrives
 * while one frame is being sent goes out together in the next, up to {@link #MAX_FRAME_BYTES}.
 * Whichever side closes first, the other is closed too.
 */
class MqttWebSocketRelay extends AbstractWebSocketHandler {

	private static final Logger logger = LoggerFactory.getLogger(MqttWebSocketRelay.class);

	private static final long WRITE_WAIT_SECONDS = 30;

	/** The most bytes in flight, not yet taken by the other side, in each direction. */
	static final int WINDOW_BYTES = 256 * 1024;

	/** Largest frame sent to the browser: some WebSocket clients limit the size of a message. */
	static final int MAX_FRAME_BYTES = 64 * 1024;

	private final BrokerConnector connector;

	private final Map<String, Link> links = new ConcurrentHashMap<>();

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
		RelayLink link = new RelayLink(session.getRemoteAddress(), WINDOW_BYTES);
		ChannelFuture connected;
		try {
			connected = this.connector.connect(new BrokerToBrowser(session, browser, link.toClient()), link);
		}
		catch (IllegalStateException ex) {
			// The broker is stopped (or restarting).
			refuse(session, ex);
			return;
		}
		if (!connected.awaitUninterruptibly(WRITE_WAIT_SECONDS, TimeUnit.SECONDS) || !connected.isSuccess()) {
			connected.channel().close();
			refuse(session, connected.cause());
			return;
		}
		Channel channel = connected.channel();
		Link relayed = new Link(channel, link.toBroker());
		this.links.put(session.getId(), relayed);
		channel.closeFuture().addListener(closed -> this.links.remove(session.getId(), relayed));
		if (!session.isOpen()) {
			channel.close();
		}
	}

	private static void refuse(WebSocketSession session, Throwable cause) throws IOException {
		logger.warn("MQTT over WebSocket from {} refused: the broker is not reachable", session.getRemoteAddress(),
				cause);
		session.close(CloseStatus.SERVICE_RESTARTED.withReason("MQTT broker not reachable"));
	}

	@Override
	protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
		Link link = this.links.get(session.getId());
		if (link == null || !link.channel.isActive()) {
			session.close(CloseStatus.GOING_AWAY);
			return;
		}
		ByteBuffer payload = message.getPayload();
		int bytes = payload.remaining();
		// One copy, into a pooled buffer: the web server reuses the payload's buffer once this returns.
		ByteBuf data = link.channel.alloc().buffer(bytes).writeBytes(payload);
		link.toBroker.sent(bytes);
		link.channel.writeAndFlush(data, link.channel.voidPromise());
		// Holding this (the web server's reading) thread stops reading the browser's socket until
		// the broker has read what was already sent.
		if (!link.toBroker.isOpen() && !awaitOpen(link.toBroker)) {
			logger.warn("MQTT over WebSocket from {} closed: the broker took no data for {} s",
					session.getRemoteAddress(), WRITE_WAIT_SECONDS);
			link.channel.close();
			session.close(CloseStatus.SESSION_NOT_RELIABLE);
		}
	}

	private static boolean awaitOpen(FlowWindow window) {
		try {
			return window.awaitOpen(WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
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
		Link link = this.links.remove(session.getId());
		if (link != null) {
			link.channel.close();
		}
	}

	private record Link(Channel channel, FlowWindow toBroker) {
	}

	/**
	 * Hands what the broker sends to the browser: one frame on its way at a time (the WebSocket
	 * API allows no more), with whatever arrived meanwhile in the next. The broker's side stops
	 * at a window's worth not yet taken ({@link FlowWindow}), which bounds what waits here.
	 */
	static final class BrokerToBrowser extends ChannelInboundHandlerAdapter {

		private final WebSocketSession session;

		private final RemoteEndpoint.Async browser;

		private final FlowWindow window;

		/** Arrived from the broker, not yet handed to the browser (event loop only). */
		private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();

		/** The frame on its way to the browser, or null (event loop only). */
		private ByteBuf sending;

		BrokerToBrowser(WebSocketSession session, RemoteEndpoint.Async browser, FlowWindow window) {
			this.session = session;
			this.browser = browser;
			this.window = window;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof ByteBuf data && data.isReadable()) {
				this.pending.add(data);
			}
			else {
				ReferenceCountUtil.release(msg);
			}
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext ctx) {
			if (this.sending == null) {
				sendPending(ctx);
			}
		}

		private void sendPending(ChannelHandlerContext ctx) {
			if (this.pending.isEmpty() || !ctx.channel().isActive()) {
				return;
			}
			ByteBuf frame = nextFrame(ctx);
			this.sending = frame;
			int bytes = frame.readableBytes();
			try {
				this.browser.sendBinary(frame.nioBuffer(), result -> {
					try {
						ctx.executor().execute(() -> sent(ctx, frame, bytes, result.isOK()));
					}
					catch (RejectedExecutionException ex) {
						// The event loop has stopped: nothing more to send.
						frame.release();
					}
				});
			}
			catch (IllegalStateException ex) {
				// The WebSocket is closing.
				sent(ctx, frame, bytes, false);
			}
		}

		/** The next frame: the first buffer as it is when it is large enough, else several copied into one. */
		private ByteBuf nextFrame(ChannelHandlerContext ctx) {
			ByteBuf first = this.pending.peek();
			if (first.readableBytes() >= MAX_FRAME_BYTES || this.pending.size() == 1) {
				return (first.readableBytes() > MAX_FRAME_BYTES) ? first.readRetainedSlice(MAX_FRAME_BYTES)
						: this.pending.poll();
			}
			int size = 0;
			for (ByteBuf data : this.pending) {
				size += data.readableBytes();
				if (size >= MAX_FRAME_BYTES) {
					break;
				}
			}
			ByteBuf frame = ctx.alloc().buffer(Math.min(size, MAX_FRAME_BYTES));
			while (!this.pending.isEmpty() && frame.isWritable()) {
				ByteBuf data = this.pending.peek();
				frame.writeBytes(data, Math.min(data.readableBytes(), frame.writableBytes()));
				if (!data.isReadable()) {
					this.pending.poll().release();
				}
			}
			return frame;
		}

		private void sent(ChannelHandlerContext ctx, ByteBuf frame, int bytes, boolean ok) {
			frame.release();
			this.sending = null;
			this.window.taken(bytes);
			if (ok) {
				sendPending(ctx);
			}
			else {
				ctx.close();
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws IOException {
			releasePending();
			if (this.session.isOpen()) {
				this.session.close(CloseStatus.NORMAL);
			}
		}

		@Override
		public void handlerRemoved(ChannelHandlerContext ctx) {
			releasePending();
		}

		private void releasePending() {
			ByteBuf data;
			while ((data = this.pending.poll()) != null) {
				data.release();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			logger.debug("Broker connection of WebSocket session {} failed", this.session.getId(), cause);
			ctx.close();
		}

	}

}

package com.mqtthub.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One MQTT 3.1.1 connection of the load tool: CONNECT, keep-alive pings and the acknowledgement
 * flows, on Netty's own MQTT codec so that the tool costs little CPU per message. Everything but
 * {@link #ready()} and the counters read after the run happens on the connection's event loop.
 * Subclasses publish ({@link Publisher}) or receive ({@link Subscriber}); this class alone is an
 * idle client.
 */
class BenchClient extends ChannelInboundHandlerAdapter {

	final String clientId;

	final BenchOptions options;

	/** Completes when the client may start its work: after CONNACK 0, or SUBACK for a subscriber. */
	private final CompletableFuture<Void> ready = new CompletableFuture<>();

	volatile Channel channel;

	private volatile boolean closing;

	/** When the TCP connect started and when CONNACK arrived ({@link System#nanoTime()}). */
	volatile long connectStartNanos;

	volatile long connackNanos;

	/** The broker closed the connection, or it failed, after it was ready. */
	volatile boolean lost;

	private ScheduledFuture<?> pinger;

	BenchClient(String clientId, BenchOptions options) {
		this.clientId = clientId;
		this.options = options;
	}

	CompletableFuture<Void> ready() {
		return this.ready;
	}

	/** Whether the broker should forget this client's session when it disconnects. */
	boolean cleanSession() {
		return true;
	}

	/** Whether {@link #disconnect()} was called: the end of the run, not a lost connection. */
	boolean closing() {
		return this.closing;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		this.channel = ctx.channel();
		MqttMessageBuilders.ConnectBuilder connect = MqttMessageBuilders.connect()
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.clientId(this.clientId)
			.cleanSession(cleanSession())
			.keepAlive(this.options.keepAliveSeconds());
		if (this.options.username() != null) {
			connect.username(this.options.username());
		}
		if (this.options.password() != null) {
			connect.password(this.options.password().getBytes(StandardCharsets.UTF_8));
		}
		ctx.writeAndFlush(connect.build());
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		try {
			MqttMessage message = (MqttMessage) msg;
			if (message.decoderResult().isFailure()) {
				fail(ctx, new IllegalStateException("Undecodable packet: " + message.decoderResult().cause()));
				return;
			}
			switch (message.fixedHeader().messageType()) {
				case CONNACK -> onConnAck(ctx, (MqttConnAckMessage) message);
				case PUBLISH -> onPublish(ctx, (MqttPublishMessage) message);
				case PUBACK, PUBREC, PUBREL, PUBCOMP -> onAck(ctx, message.fixedHeader().messageType(),
						((MqttMessageIdVariableHeader) message.variableHeader()).messageId());
				case SUBACK -> onSubAck(ctx, message);
				default -> {
					// PINGRESP and anything else a broker may send: nothing to do.
				}
			}
		}
		finally {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		// Acknowledgements are written as packets arrive and flushed once per read.
		ctx.flush();
	}

	private void onConnAck(ChannelHandlerContext ctx, MqttConnAckMessage connAck) {
		this.connackNanos = System.nanoTime();
		MqttConnectReturnCode code = connAck.variableHeader().connectReturnCode();
		if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
			fail(ctx, new ConnectRefused(code));
			return;
		}
		long period = Math.max(1, this.options.keepAliveSeconds() / 2);
		this.pinger = ctx.executor()
			.scheduleAtFixedRate(() -> ctx.writeAndFlush(MqttMessage.PINGREQ), period, period, TimeUnit.SECONDS);
		onConnected(ctx);
	}

	/** After CONNACK 0: the client is ready unless it still has to subscribe. */
	void onConnected(ChannelHandlerContext ctx) {
		this.ready.complete(null);
	}

	void onSubAck(ChannelHandlerContext ctx, MqttMessage subAck) {
		// only subscribers subscribe
	}

	void onPublish(ChannelHandlerContext ctx, MqttPublishMessage publish) {
		// idle clients and publishers subscribe to nothing
	}

	void onAck(ChannelHandlerContext ctx, MqttMessageType type, int packetId) {
		// only publishers and QoS 2 subscribers wait for acknowledgements
	}

	void markReady() {
		this.ready.complete(null);
	}

	void fail(ChannelHandlerContext ctx, Throwable cause) {
		this.ready.completeExceptionally(cause);
		ctx.close();
	}

	static MqttMessage ack(MqttMessageType type, int packetId) {
		MqttQoS qos = (type == MqttMessageType.PUBREL) ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
		return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0), MqttMessageIdVariableHeader.from(packetId));
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		fail(ctx, cause);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (this.pinger != null) {
			this.pinger.cancel(false);
		}
		if (!this.closing && this.ready.isDone() && !this.ready.isCompletedExceptionally()) {
			this.lost = true;
		}
		this.ready.completeExceptionally(new IllegalStateException("Connection closed before it was ready"));
		onClosed();
	}

	void onClosed() {
	}

	/** Sends DISCONNECT and closes; returns at once. */
	void disconnect() {
		this.closing = true;
		Channel ch = this.channel;
		if (ch != null && ch.isActive()) {
			ch.writeAndFlush(MqttMessage.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
		}
		else if (ch != null) {
			ch.close();
		}
	}

	/** A CONNACK with a code other than 0. */
	static final class ConnectRefused extends Exception {

		private static final long serialVersionUID = 1L;

		ConnectRefused(MqttConnectReturnCode code) {
			super("CONNACK " + code, null, false, false);
		}

	}

}

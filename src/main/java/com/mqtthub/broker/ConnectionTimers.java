package com.mqtthub.broker;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two timers of an MQTT connection, without a scheduled task of its own: the keep-alive
 * (MQTT-3.1.2-24: no packet within one and a half times the CONNECT's keep-alive closes the
 * connection; a keep-alive of 0 has none) and the engine's resend of unacknowledged QoS 1/2
 * messages every {@link TimerSweeps#RESEND_TICKS} ticks. Once its accepting CONNACK is written,
 * the connection joins its event loop's {@link TimerSweeps sweep}, which looks at it every tick;
 * the engine's own keep-alive and resend handlers, which it adds at that moment with a timer each,
 * are taken out at the first tick.
 * <p>
 * Sits right behind the encoder: it sees whole packets coming in (a packet, not a byte, keeps a
 * connection alive) and the CONNACK going out. A read only raises a flag; the sweep turns it into
 * a time, so the time of a packet is known to within a tick and the connection is closed at most
 * two ticks after its keep-alive ran out.
 */
final class ConnectionTimers extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionTimers.class);

	private final TimerSweeps sweeps;

	private ChannelHandlerContext ctx;

	/** One and a half keep-alives, 0 for none. */
	private long keepAliveNanos;

	private boolean readSinceTick;

	private long lastReadNanos;

	/** The engine's own timers are out of the pipeline. */
	private boolean takenOver;

	/** Its sweep, while it is in one (only the connection's event loop touches these). */
	TimerSweeps.Sweep sweep;

	ConnectionTimers previous;

	ConnectionTimers next;

	/** The tick, modulo the resend interval, at which the engine's resend is due. */
	int resendPhase;

	ConnectionTimers(TimerSweeps sweeps) {
		this.sweeps = sweeps;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttConnectMessage connect && this.ctx == null) {
			this.keepAliveNanos = connect.variableHeader().keepAliveTimeSeconds() * 1_500_000_000L;
		}
		this.readSinceTick = true;
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (msg instanceof MqttConnAckMessage connack && this.ctx == null
				&& connack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
			// Where the engine starts its own timers: once the CONNACK is written.
			ChannelPromise written = promise.unvoid();
			written.addListener(future -> {
				if (future.isSuccess() && this.ctx == null && ctx.channel().isActive() && !ctx.isRemoved()) {
					this.ctx = ctx;
					this.sweeps.enter(this, ctx.executor());
				}
			});
			ctx.write(msg, written);
			return;
		}
		ctx.write(msg, promise);
	}

	/** Called by the sweep every tick, on the connection's event loop. */
	void tick(long now, long tick) {
		if (!this.takenOver) {
			this.takenOver = this.sweeps.takeOverEngineTimers(this.ctx.channel());
			this.lastReadNanos = now;
			this.readSinceTick = false;
			return;
		}
		if (this.readSinceTick) {
			this.readSinceTick = false;
			this.lastReadNanos = now;
		}
		else if (this.keepAliveNanos > 0 && now - this.lastReadNanos >= this.keepAliveNanos) {
			logger.debug("Closing MQTT connection of {}: no packet within 1.5 times its keep-alive",
					this.sweeps.clientAddress(this.ctx.channel()));
			leave();
			this.ctx.close();
			return;
		}
		if (tick % TimerSweeps.RESEND_TICKS == this.resendPhase) {
			this.sweeps.resend(this.ctx.channel());
		}
	}

	/** What went wrong in this connection's tick closes it; the sweep goes on. */
	void sweepFailed(RuntimeException ex) {
		logger.warn("Closing MQTT connection of {}: its timers failed", this.sweeps.clientAddress(this.ctx.channel()),
				ex);
		leave();
		this.ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		leave();
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		leave();
	}

	private void leave() {
		if (this.sweep != null) {
			this.sweep.remove(this);
		}
	}

}

package com.mqtthub.broker;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Holds one client back while a subscriber it publishes to is behind ({@link BackPressure}):
 * nothing more is read from its socket, and the packets already read but not yet handed on are
 * kept here, in order, so that what the paused client sent does not keep flowing into the
 * engine. When every subscriber that pressed it has caught up (or is gone), or after the
 * longest pause, the kept packets go on and reading resumes. Its PUBACKs for messages handed on
 * before the pause still leave as usual, after their commit.
 * <p>
 * The longest pause is at most half the client's keep-alive, so that a paused client is never
 * taken for a dead one (the engine closes a connection that reads nothing for 1.5 x its
 * keep-alive). Sits right behind the decoder, before every other handler of packets: a held
 * packet has not been looked at by anyone yet.
 */
final class PublisherBackPressure extends ChannelInboundHandlerAdapter {

	private static final AttributeKey<PublisherBackPressure> KEY = AttributeKey.valueOf(PublisherBackPressure.class,
			"publisherBackPressure");

	private final BrokerLimits limits;

	/** The longest pause, as configured; shortened by a short keep-alive. */
	private long maxPauseNanos;

	/**
	 * The subscriber connections that hold this client back now; created the first time one
	 * does (most connections never are), under this handler's lock, then read from any thread.
	 */
	private volatile Set<Channel> pressedBy;

	/** Set from any thread (under this handler's lock), read by the event loop for every packet. */
	private volatile boolean paused;

	private boolean closed;

	/** Packets read while paused, in order (event loop only); null until the first pause. */
	private ArrayDeque<Object> held;

	private ScheduledFuture<?> maxPauseTimer;

	private ChannelHandlerContext ctx;

	PublisherBackPressure(BrokerLimits limits, long maxPauseNanos) {
		this.limits = limits;
		this.maxPauseNanos = maxPauseNanos;
	}

	/** The handler of {@code channel}, or null when it has none. */
	static PublisherBackPressure of(Channel channel) {
		return channel.attr(KEY).get();
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
		ctx.channel().attr(KEY).set(this);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttConnectMessage connect && connect.variableHeader() != null
				&& connect.variableHeader().keepAliveTimeSeconds() > 0) {
			this.maxPauseNanos = Math.min(this.maxPauseNanos,
					TimeUnit.MILLISECONDS.toNanos(connect.variableHeader().keepAliveTimeSeconds() * 500L));
		}
		if (this.paused || (this.held != null && !this.held.isEmpty())) {
			if (this.held == null) {
				this.held = new ArrayDeque<>(4);
			}
			this.held.add(msg);
			return;
		}
		ctx.fireChannelRead(msg);
	}

	/**
	 * The subscriber on {@code subscriber} is behind with a message of this client: stop
	 * reading from it (at once, from whatever thread calls) until {@link #relievedBy}.
	 */
	void pressedBy(Channel subscriber) {
		pressers().add(subscriber);
		synchronized (this) {
			if (this.paused || this.closed) {
				return;
			}
			this.paused = true;
			this.limits.publisherPaused();
			ReadPauses.pause(this.ctx.channel(), ReadPauses.Reason.BACK_PRESSURE);
		}
		onLoop(this::startMaxPauseTimer);
	}

	private void onLoop(Runnable task) {
		try {
			this.ctx.executor().execute(task);
		}
		catch (RejectedExecutionException ex) {
			// The broker is stopping: the connection closes anyway.
		}
	}

	/** The subscriber on {@code subscriber} caught up or is gone. */
	void relievedBy(Channel subscriber) {
		Set<Channel> pressers = this.pressedBy;
		if (pressers != null && pressers.remove(subscriber) && pressers.isEmpty()) {
			onLoop(() -> {
				if (pressers.isEmpty()) {
					resume();
				}
			});
		}
	}

	private Set<Channel> pressers() {
		Set<Channel> pressers = this.pressedBy;
		if (pressers == null) {
			synchronized (this) {
				pressers = this.pressedBy;
				if (pressers == null) {
					pressers = ConcurrentHashMap.newKeySet();
					this.pressedBy = pressers;
				}
			}
		}
		return pressers;
	}

	private Object nextHeld() {
		return (this.held != null) ? this.held.poll() : null;
	}

	/** Whether reading from this client is paused by back-pressure now. */
	boolean isPaused() {
		return this.paused;
	}

	private void startMaxPauseTimer() {
		if (this.paused && this.maxPauseTimer == null && !this.closed) {
			this.maxPauseTimer = this.ctx.executor().schedule(this::maxPauseReached, this.maxPauseNanos,
					TimeUnit.NANOSECONDS);
		}
	}

	private void maxPauseReached() {
		this.maxPauseTimer = null;
		clearPressers();
		resume();
	}

	/** On the event loop: hands the kept packets on, then reads again unless paused meanwhile. */
	private void resume() {
		synchronized (this) {
			if (!this.paused || this.closed) {
				return;
			}
			this.paused = false;
			this.limits.publisherResumed();
		}
		if (this.maxPauseTimer != null) {
			this.maxPauseTimer.cancel(false);
			this.maxPauseTimer = null;
		}
		boolean handedOn = false;
		Object next;
		while (!this.paused && (next = nextHeld()) != null) {
			this.ctx.fireChannelRead(next);
			handedOn = true;
		}
		if (handedOn) {
			this.ctx.fireChannelReadComplete();
		}
		synchronized (this) {
			if (!this.paused && !this.closed) {
				ReadPauses.resume(this.ctx.channel(), ReadPauses.Reason.BACK_PRESSURE);
			}
		}
	}

	/**
	 * The kept packets go on before the end of the connection, as the decoder hands on what it
	 * read before the end of a stream: a DISCONNECT among them still means no will.
	 */
	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		close();
		Object next;
		while ((next = nextHeld()) != null) {
			ctx.fireChannelRead(next);
		}
		ctx.fireChannelInactive();
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		close();
		Object next;
		while ((next = nextHeld()) != null) {
			ReferenceCountUtil.release(next);
		}
	}

	private void close() {
		synchronized (this) {
			if (this.closed) {
				return;
			}
			this.closed = true;
			if (this.paused) {
				this.paused = false;
				this.limits.publisherResumed();
			}
		}
		if (this.maxPauseTimer != null) {
			this.maxPauseTimer.cancel(false);
			this.maxPauseTimer = null;
		}
		clearPressers();
	}

	private void clearPressers() {
		Set<Channel> pressers = this.pressedBy;
		if (pressers != null) {
			pressers.clear();
		}
	}

}

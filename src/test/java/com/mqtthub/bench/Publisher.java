package com.mqtthub.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Publishes numbered, time-stamped messages to one topic: as fast as the socket and the QoS 1/2
 * window of {@code --inflight} unacknowledged messages allow, or at a fixed rate, each message
 * written and flushed at the instant its {@link SendSchedule} says (a timer per message, not a
 * periodic tick that would send in bursts). A message counts as acknowledged on PUBACK (QoS 1),
 * PUBCOMP (QoS 2) or once written (QoS 0).
 */
final class Publisher extends BenchClient {

	/** Messages written in one go before the event loop serves its other connections. */
	private static final int BATCH = 64;

	private static final long FREE = -1;

	final int id;

	private final String topic;

	private final MqttQoS qos;

	private final RunClock clock;

	/** When each message is due at a fixed rate; null for as fast as possible. */
	private SendSchedule schedule;

	/** How late each message of the window left after its due time, in microseconds (fixed rate). */
	final Histogram sendLag = new Histogram(Subscriber.MAX_LATENCY_MICROS, 3);

	/** Sequence number of the message in flight under each packet id, or FREE. */
	private final long[] inFlight;

	/** Sequence numbers of the messages the broker acknowledged. */
	final BitSet acknowledged = new BitSet();

	private ChannelHandlerContext ctx;

	private int inFlightCount;

	private int nextPacketId = 1;

	private boolean publishing;

	/** The timer set for the next due message, if any (fixed rate). */
	private ScheduledFuture<?> timer;

	volatile long sent;

	volatile long acked;

	long sentInWindow;

	long ackedInWindow;

	Publisher(String clientId, BenchOptions options, int id, String topic, RunClock clock) {
		super(clientId, options);
		this.id = id;
		this.topic = topic;
		this.qos = MqttQoS.valueOf(options.qos());
		this.clock = clock;
		this.inFlight = new long[(this.qos == MqttQoS.AT_MOST_ONCE) ? 0 : 65_536];
		Arrays.fill(this.inFlight, FREE);
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	/** Starts publishing (from any thread) on the schedule given, or as fast as possible when null. */
	void start(SendSchedule schedule) {
		this.ctx.executor().execute(() -> {
			this.schedule = schedule;
			this.publishing = true;
			pump();
		});
	}

	/** Stops publishing (from any thread); acknowledgements still count. */
	void stop() {
		this.ctx.executor().execute(() -> {
			this.publishing = false;
			if (this.timer != null) {
				this.timer.cancel(false);
			}
		});
	}

	private void pump() {
		if (!this.publishing || !this.ctx.channel().isActive()) {
			return;
		}
		long now = System.nanoTime();
		long due = (this.schedule != null) ? this.schedule.dueBy(now) : Long.MAX_VALUE;
		int limit = (this.schedule != null) ? BATCH * 16 : BATCH;
		int written = 0;
		while (written < limit && this.sent < due && this.sent < Integer.MAX_VALUE && canWrite()) {
			if (this.schedule != null && this.clock.inWindow(now)) {
				this.sendLag.recordValue(Math.min(Subscriber.MAX_LATENCY_MICROS,
						Math.max(0, (now - this.schedule.dueAt(this.sent)) / 1000)));
			}
			publish(now);
			written++;
			now = System.nanoTime();
		}
		if (written > 0) {
			this.ctx.flush();
		}
		if (this.schedule == null) {
			if (written == limit) {
				// More could go: come back after the event loop's other connections had their turn.
				this.ctx.executor().execute(this::pump);
			}
		}
		else if (canWrite()) {
			// Due now (more came due while writing) or later: the timer comes back for it.
			armTimer(now);
		}
		// Otherwise the window or the socket is full: an acknowledgement or writability pumps again.
	}

	/** Sets the timer for the next due message unless one is already set. */
	private void armTimer(long now) {
		if (this.timer != null && !this.timer.isDone()) {
			return;
		}
		long delay = Math.max(0, this.schedule.dueAt(this.sent) - now);
		this.timer = this.ctx.executor().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
	}

	private void onTimer() {
		// A running timer is not done yet: forget it first, or pump() could not set the next one
		// and a QoS 0 publisher (no acknowledgement to pump again) would stop.
		this.timer = null;
		pump();
	}

	private boolean canWrite() {
		return this.ctx.channel().isWritable()
				&& (this.qos == MqttQoS.AT_MOST_ONCE || this.inFlightCount < this.options.inflight());
	}

	private void publish(long now) {
		long sequence = this.sent;
		int packetId = 0;
		if (this.qos != MqttQoS.AT_MOST_ONCE) {
			while (this.inFlight[this.nextPacketId] != FREE) {
				this.nextPacketId = (this.nextPacketId == 65_535) ? 1 : this.nextPacketId + 1;
			}
			packetId = this.nextPacketId;
			this.nextPacketId = (this.nextPacketId == 65_535) ? 1 : this.nextPacketId + 1;
			this.inFlight[packetId] = sequence;
			this.inFlightCount++;
		}
		MqttPublishMessage message = new MqttPublishMessage(
				new MqttFixedHeader(MqttMessageType.PUBLISH, false, this.qos, false, 0),
				new MqttPublishVariableHeader(this.topic, packetId),
				Payloads.encode(this.ctx.alloc(), this.options.payloadBytes(), this.id, sequence, now));
		this.ctx.write(message, this.ctx.voidPromise());
		this.sent = sequence + 1;
		boolean inWindow = this.clock.inWindow(now);
		if (inWindow) {
			this.sentInWindow++;
		}
		if (this.qos == MqttQoS.AT_MOST_ONCE) {
			acknowledge(sequence, inWindow);
		}
	}

	@Override
	void onAck(ChannelHandlerContext ctx, MqttMessageType type, int packetId) {
		if (type == MqttMessageType.PUBREC) {
			ctx.write(ack(MqttMessageType.PUBREL, packetId), ctx.voidPromise());
			return;
		}
		boolean completes = (type == MqttMessageType.PUBACK && this.qos == MqttQoS.AT_LEAST_ONCE)
				|| (type == MqttMessageType.PUBCOMP && this.qos == MqttQoS.EXACTLY_ONCE);
		if (!completes || this.inFlight[packetId] == FREE) {
			return;
		}
		long sequence = this.inFlight[packetId];
		this.inFlight[packetId] = FREE;
		this.inFlightCount--;
		acknowledge(sequence, this.clock.inWindow(System.nanoTime()));
	}

	private void acknowledge(long sequence, boolean inWindow) {
		this.acknowledged.set((int) sequence);
		this.acked = this.acked + 1;
		if (inWindow) {
			this.ackedInWindow++;
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		// Acknowledgements opened the window: fill it again, then flush PUBRELs and PUBLISHes at once.
		pump();
		ctx.flush();
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		if (ctx.channel().isWritable()) {
			pump();
		}
		ctx.fireChannelWritabilityChanged();
	}

}

package com.mqtthub.bench;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;

/**
 * Subscribes to one filter and records, per message: the latency from its send time, and which
 * (publisher, sequence number) arrived, so that losses and duplicates can be counted after the run.
 */
final class Subscriber extends BenchClient {

	/** Between the attempts of a persistent subscriber to connect again. */
	private static final long RECONNECT_DELAY_MILLIS = 250;

	/** Latencies above this are recorded as this (microseconds). */
	static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

	private final String filter;

	private final RunClock clock;

	/** The publishers whose messages this subscriber must receive. */
	final int[] expectedPublishers;

	/** Received sequence numbers, indexed by publisher id. */
	final BitSet[] received;

	/** End-to-end latency in microseconds of the messages received in the window. */
	final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);

	private final Payloads.Header header = new Payloads.Header();

	volatile long receivedTotal;

	long receivedInWindow;

	long duplicates;

	/** Messages that did not come from this run's publishers. */
	long foreign;

	/** Messages with a lower sequence number than one already received from their publisher. */
	long outOfOrder;

	/** Connections opened again after the broker closed one (--persistent-subscribers). */
	volatile long reconnects;

	/** Opens a new connection for this subscriber; set when --persistent-subscribers. */
	private final Runnable reconnect;

	/** The highest sequence number received from each publisher, -1 before the first. */
	private final long[] highest;

	Subscriber(String clientId, BenchOptions options, String filter, RunClock clock, int publishers,
			int[] expectedPublishers, Connector connector) {
		super(clientId, options);
		this.reconnect = options.persistentSubscribers() ? () -> reopen(connector) : null;
		this.highest = new long[publishers];
		Arrays.fill(this.highest, -1);
		this.filter = filter;
		this.clock = clock;
		this.expectedPublishers = expectedPublishers;
		this.received = new BitSet[publishers];
		for (int publisher : expectedPublishers) {
			this.received[publisher] = new BitSet();
		}
	}

	@Override
	boolean cleanSession() {
		return this.reconnect == null;
	}

	/** A persistent subscriber is added to the pipeline of each connection it opens, one at a time. */
	@Override
	public boolean isSharable() {
		return this.reconnect != null;
	}

	@Override
	void onClosed() {
		if (this.reconnect != null && !closing() && ready().isDone() && !ready().isCompletedExceptionally()) {
			this.channel.eventLoop().schedule(this.reconnect, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Connects again, with the same client id and no clean session, until it succeeds or the run
	 * ends: the broker keeps the subscription and the messages that arrived meanwhile.
	 */
	private void reopen(Connector connector) {
		if (closing()) {
			return;
		}
		this.reconnects = this.reconnects + 1;
		connector.open(this, this.options.subscribeHost(), this.options.subscribePort()).addListener((future) -> {
			if (!future.isSuccess() && !closing()) {
				((ChannelFuture) future).channel()
					.eventLoop()
					.schedule(this.reconnect, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
			}
		});
	}

	@Override
	void onConnected(ChannelHandlerContext ctx) {
		ctx.writeAndFlush(MqttMessageBuilders.subscribe()
			.messageId(1)
			.addSubscription(MqttQoS.valueOf(this.options.qos()), this.filter)
			.build());
	}

	@Override
	void onSubAck(ChannelHandlerContext ctx, MqttMessage subAck) {
		int granted = ((MqttSubAckMessage) subAck).payload().grantedQoSLevels().get(0);
		if (granted > 2) {
			fail(ctx, new IllegalStateException("SUBSCRIBE to " + this.filter + " refused (0x80)"));
			return;
		}
		markReady();
	}

	@Override
	void onPublish(ChannelHandlerContext ctx, MqttPublishMessage publish) {
		long now = System.nanoTime();
		int packetId = publish.variableHeader().packetId();
		switch (publish.fixedHeader().qosLevel()) {
			case AT_LEAST_ONCE -> ctx.write(ack(MqttMessageType.PUBACK, packetId), ctx.voidPromise());
			case EXACTLY_ONCE -> ctx.write(ack(MqttMessageType.PUBREC, packetId), ctx.voidPromise());
			default -> {
			}
		}
		this.receivedTotal = this.receivedTotal + 1;
		if (!Payloads.decode(publish.payload(), this.header) || this.header.publisher < 0
				|| this.header.publisher >= this.received.length || this.received[this.header.publisher] == null
				|| this.header.sequence < 0 || this.header.sequence >= Integer.MAX_VALUE) {
			this.foreign++;
			return;
		}
		BitSet seen = this.received[this.header.publisher];
		int sequence = (int) this.header.sequence;
		if (seen.get(sequence)) {
			this.duplicates++;
		}
		else {
			seen.set(sequence);
			if (sequence < this.highest[this.header.publisher]) {
				this.outOfOrder++;
			}
			else {
				this.highest[this.header.publisher] = sequence;
			}
		}
		if (this.clock.inWindow(now)) {
			this.receivedInWindow++;
			long micros = Math.max(0, (now - this.header.sentNanos) / 1000);
			this.latency.recordValue(Math.min(micros, MAX_LATENCY_MICROS));
		}
	}

	@Override
	void onAck(ChannelHandlerContext ctx, MqttMessageType type, int packetId) {
		if (type == MqttMessageType.PUBREL) {
			ctx.write(ack(MqttMessageType.PUBCOMP, packetId), ctx.voidPromise());
		}
	}

}

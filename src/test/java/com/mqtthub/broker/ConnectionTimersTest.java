package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.moquette.broker.MoquetteCore;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionTimersTest {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final AtomicInteger resends = new AtomicInteger();

	/** Whether the connection's session has anything noted for a resend. */
	private final AtomicBoolean inFlight = new AtomicBoolean(true);

	/** User events that reached the end of the pipeline (the engine's place). */
	private final List<Object> events = new ArrayList<>();

	private final TimerSweeps sweeps = new TimerSweeps(this.now::get, MoquetteCore::takeOverConnectionTimers,
			channel -> this.inFlight.get(), channel -> {
				this.resends.incrementAndGet();
				MoquetteCore.resendUnacknowledged(channel);
			}, new ClientAddresses());

	/** A connection whose CONNECT (with this keep-alive) has passed. */
	private EmbeddedChannel connected(int keepAliveSeconds) {
		EmbeddedChannel channel = new EmbeddedChannel(new ConnectionTimers(this.sweeps),
				new ChannelInboundHandlerAdapter() {
					@Override
					public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
						ConnectionTimersTest.this.events.add(event);
					}
				});
		channel.freezeTime();
		channel.writeInbound(MqttMessageBuilders.connect()
			.clientId("device-1")
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.keepAlive(keepAliveSeconds)
			.build());
		ReferenceCountUtil.release(channel.readInbound());
		return channel;
	}

	/** Writes an accepting CONNACK and adds what the engine adds once it is written. */
	private static void accept(EmbeddedChannel channel) {
		channel.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
		channel.readOutbound();
		channel.pipeline().addFirst("idleStateHandler", new IdleStateHandler(2, 0, 0));
		channel.pipeline().addFirst("inflightResender", new ChannelDuplexHandler());
	}

	private void pass(EmbeddedChannel channel, long millis) {
		for (long passed = 0; passed < millis; passed += TimerSweeps.TICK_MILLIS) {
			this.now.addAndGet(TimeUnit.MILLISECONDS.toNanos(TimerSweeps.TICK_MILLIS));
			channel.advanceTimeBy(TimerSweeps.TICK_MILLIS, TimeUnit.MILLISECONDS);
			channel.runScheduledPendingTasks();
		}
	}

	private static void ping(EmbeddedChannel channel) {
		channel.writeInbound(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE,
				false, 0)));
		channel.readInbound();
	}

	@Test
	void theEnginesOwnTimersLeaveThePipelineAtTheFirstTick() {
		EmbeddedChannel channel = connected(60);
		accept(channel);
		assertThat(this.sweeps.size(channel.eventLoop())).isOne();
		pass(channel, TimerSweeps.TICK_MILLIS);
		assertThat(channel.pipeline().get("idleStateHandler")).isNull();
		assertThat(channel.pipeline().get("inflightResender")).isNull();
		assertThat(channel.pipeline().get(ConnectionTimers.class)).isNotNull();
		channel.finishAndReleaseAll();
	}

	@Test
	void aClientSilentForOneAndAHalfKeepAlivesIsClosedAndLeavesTheSweep() {
		EmbeddedChannel channel = connected(2);
		accept(channel);
		pass(channel, TimerSweeps.TICK_MILLIS);
		pass(channel, 2750);
		assertThat(channel.isOpen()).isTrue();
		pass(channel, 2 * TimerSweeps.TICK_MILLIS);
		assertThat(channel.isOpen()).isFalse();
		assertThat(this.sweeps.size(channel.eventLoop())).isZero();
	}

	@Test
	void packetsWithinTheKeepAliveKeepTheConnection() {
		EmbeddedChannel channel = connected(1);
		accept(channel);
		for (int i = 0; i < 20; i++) {
			pass(channel, 1000);
			ping(channel);
		}
		assertThat(channel.isOpen()).isTrue();
		pass(channel, 2000);
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void aKeepAliveOfZeroNeverCloses() {
		EmbeddedChannel channel = connected(0);
		accept(channel);
		pass(channel, 600_000);
		assertThat(channel.isOpen()).isTrue();
		channel.finishAndReleaseAll();
	}

	@Test
	void nothingTimesOutBeforeTheConnackIsWritten() {
		EmbeddedChannel channel = connected(1);
		pass(channel, 60_000);
		assertThat(channel.isOpen()).isTrue();
		assertThat(this.resends).hasValue(0);
		channel.finishAndReleaseAll();
	}

	@Test
	void theEngineIsAskedToResendEveryFiveSecondsOnceItsTimerIsOut() {
		EmbeddedChannel channel = connected(0);
		accept(channel);
		pass(channel, 4750);
		assertThat(this.resends).hasValue(0);
		pass(channel, TimerSweeps.TICK_MILLIS);
		assertThat(this.resends).hasValue(1);
		pass(channel, 15_000);
		assertThat(this.resends).hasValue(4);
		channel.close();
		pass(channel, 10_000);
		assertThat(this.resends).hasValue(4);
		assertThat(this.sweeps.size(channel.eventLoop())).isZero();
	}

	@Test
	void aConnectionWithNothingInFlightGetsNoResendEvent() {
		this.inFlight.set(false);
		EmbeddedChannel channel = connected(0);
		accept(channel);
		pass(channel, 60_000);
		assertThat(this.resends).hasValue(0);
		assertThat(this.events).isEmpty();
		channel.finishAndReleaseAll();
	}

	@Test
	void aConnectionWithAnUnacknowledgedMessageStillGetsItsResend() {
		this.inFlight.set(false);
		EmbeddedChannel channel = connected(0);
		accept(channel);
		pass(channel, 5000);
		assertThat(this.events).isEmpty();
		// A QoS 1 message went out and is not acknowledged: the next tick resends.
		this.inFlight.set(true);
		pass(channel, 5000);
		assertThat(this.resends).hasValue(1);
		assertThat(this.events).hasSize(1);
		// Acknowledged and its note drained: quiet again.
		this.inFlight.set(false);
		pass(channel, 20_000);
		assertThat(this.events).hasSize(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void whileTheEngineHasNotAddedItsTimersNothingIsResentTwice() {
		EmbeddedChannel channel = connected(0);
		channel.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
		channel.readOutbound();
		pass(channel, 10_000);
		assertThat(this.resends).hasValue(0);
		channel.finishAndReleaseAll();
	}

	@Test
	void aRefusingConnackJoinsNoSweep() {
		EmbeddedChannel channel = connected(1);
		channel.writeOutbound(MqttMessageBuilders.connAck()
			.returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
			.build());
		channel.readOutbound();
		assertThat(this.sweeps.size(channel.eventLoop())).isZero();
		pass(channel, 10_000);
		assertThat(channel.isOpen()).isTrue();
		assertThat(this.resends).hasValue(0);
		channel.finishAndReleaseAll();
	}

	@Test
	void manyConnectionsOfOneLoopShareOneSweep() {
		EmbeddedChannel first = connected(1);
		accept(first);
		ConnectionTimers second = new ConnectionTimers(this.sweeps);
		ConnectionTimers third = new ConnectionTimers(this.sweeps);
		this.sweeps.enter(second, first.eventLoop());
		this.sweeps.enter(third, first.eventLoop());
		assertThat(this.sweeps.size(first.eventLoop())).isEqualTo(3);
		second.sweep.remove(second);
		assertThat(this.sweeps.size(first.eventLoop())).isEqualTo(2);
		first.close();
		assertThat(this.sweeps.size(first.eventLoop())).isOne();
		third.sweep.remove(third);
		assertThat(this.sweeps.size(first.eventLoop())).isZero();
	}

}

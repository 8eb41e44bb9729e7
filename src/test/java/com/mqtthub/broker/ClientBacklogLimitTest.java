package com.mqtthub.broker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class ClientBacklogLimitTest {

	private static final int LIMIT = 10_000;

	private final AtomicLong queued = new AtomicLong();

	private BrokerLimits limits;

	private EmbeddedChannel channel;

	@BeforeEach
	void channelOfAClientThatReadsNothing() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxClientBacklog(DataSize.ofBytes(LIMIT));
		this.limits = new BrokerLimits(properties);
		// Holds writes back, as a socket does whose client does not read.
		this.channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
			@Override
			public void flush(ChannelHandlerContext ctx) {
			}
		}, MqttEncoder.INSTANCE,
				new ClientBacklogLimit(this.limits, new ClientAddresses(), (c) -> this.queued.get(), 1000, 3));
		this.channel.freezeTime();
	}

	@AfterEach
	void release() {
		this.channel.finishAndReleaseAll();
	}

	private static MqttMessage publish(int packetId, int bytes) {
		return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId)
			.payload(Unpooled.wrappedBuffer(new byte[bytes])).build();
	}

	private static MqttMessage ack(MqttMessageType type, int packetId) {
		return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

	private void seconds(int seconds) {
		for (int i = 0; i < seconds; i++) {
			this.channel.advanceTimeBy(1, TimeUnit.SECONDS);
			this.channel.runScheduledPendingTasks();
		}
	}

	private long cutOff() {
		return this.limits.refusals(Limit.CLIENT_BACKLOG);
	}

	@Test
	void aClientThatTakesNothingWhileItsQueueIsOverTheLimitIsCutOffAndCounted() {
		this.channel.writeAndFlush(publish(1, 100));
		this.queued.set(LIMIT);
		seconds(2);
		assertThat(this.channel.isOpen()).as("still open after two checks without progress").isTrue();
		seconds(1);
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(cutOff()).isEqualTo(1);
		seconds(3);
		assertThat(cutOff()).as("counted once").isEqualTo(1);
	}

	@Test
	void acknowledgementsAreProgressSoALongQueueBeingDrainedIsNotCutOff() {
		this.queued.set(10 * LIMIT);
		for (int id = 1; id <= 10; id++) {
			this.channel.writeAndFlush(publish(id, 100));
			seconds(2);
			this.channel.writeInbound(ack(id % 2 == 0 ? MqttMessageType.PUBACK : MqttMessageType.PUBCOMP, id));
		}
		assertThat(this.channel.isOpen()).isTrue();
		assertThat(cutOff()).isZero();
	}

	@Test
	void aClientThatIsBehindByLessThanTheLimitStays() {
		this.channel.writeAndFlush(publish(1, 100));
		this.queued.set(LIMIT / 2);
		seconds(10);
		assertThat(this.channel.isOpen()).isTrue();
		assertThat(cutOff()).isZero();
	}

	@Test
	void nothingIsCheckedWhenEveryMessageWasAcknowledged() {
		this.channel.writeAndFlush(publish(1, 100));
		this.channel.writeInbound(ack(MqttMessageType.PUBACK, 1));
		// The queue holds messages that are not waiting for this client (it reads them as they come).
		this.queued.set(10 * LIMIT);
		seconds(10);
		assertThat(this.channel.isOpen()).isTrue();
	}

	@Test
	void answersPiledUpBeyondTheLimitCutTheClientOffAtOnce() {
		MqttMessage pingResp = new MqttMessage(
				new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0));
		int written = 0;
		while (this.channel.isOpen() && written < 1000) {
			this.channel.writeAndFlush(pingResp);
			written++;
		}
		assertThat(this.channel.isOpen()).isFalse();
		// Each answer counts its two bytes and the outbound buffer's overhead per entry.
		assertThat(written).isLessThan(1000);
		assertThat(cutOff()).isEqualTo(1);
	}

	/** What the engine's recovery of dropped writes asks: could the client have this message? */
	@Test
	void knowsWhichPacketIdsWereWrittenAcknowledgedOrNot() {
		ClientBacklogLimit backlog = this.channel.pipeline().get(ClientBacklogLimit.class);
		assertThat(backlog.wasWritten(1)).as("nothing written yet").isFalse();
		this.channel.writeAndFlush(publish(1, 0));
		this.channel.writeAndFlush(publish(2, 0));
		this.channel.writeInbound(ack(MqttMessageType.PUBACK, 1));
		assertThat(backlog.wasWritten(1)).as("acknowledged, and written a moment ago").isTrue();
		assertThat(backlog.wasWritten(2)).as("waiting for its acknowledgement").isTrue();
		assertThat(backlog.wasWritten(3)).as("never written").isFalse();
		// Long after: an acknowledged id is forgotten, an unacknowledged one is not.
		for (int id = 3; id < 40; id++) {
			this.channel.writeAndFlush(publish(id, 0));
			this.channel.writeInbound(ack(MqttMessageType.PUBACK, id));
		}
		assertThat(backlog.wasWritten(1)).isFalse();
		assertThat(backlog.wasWritten(2)).isTrue();
		assertThat(backlog.wasWritten(39)).isTrue();
	}

}

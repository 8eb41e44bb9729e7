package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherBackPressureTest {

	private static final long MAX_PAUSE_MILLIS = 1000;

	private final BrokerLimits limits = new BrokerLimits(new BrokerProperties());

	/** What got past the handler, in order (released at the end). */
	private final List<Object> handedOn = new ArrayList<>();

	private final BackPressure board = new BackPressure();

	private final EmbeddedChannel publisher = new EmbeddedChannel(
			new PublisherBackPressure(this.limits, TimeUnit.MILLISECONDS.toNanos(MAX_PAUSE_MILLIS)),
			new ChannelInboundHandlerAdapter() {
				@Override
				public void channelRead(ChannelHandlerContext ctx, Object msg) {
					PublisherBackPressureTest.this.handedOn.add(msg);
				}
			});

	private final EmbeddedChannel subscriber = new EmbeddedChannel();

	private final EmbeddedChannel otherSubscriber = new EmbeddedChannel();

	@AfterEach
	void release() {
		this.handedOn.forEach(ReferenceCountUtil::release);
		this.publisher.finishAndReleaseAll();
		this.subscriber.finishAndReleaseAll();
		this.otherSubscriber.finishAndReleaseAll();
	}

	private static MqttPublishMessage publish(int number) {
		return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(number)
			.payload(Unpooled.wrappedBuffer(new byte[] { (byte) number })).build();
	}

	private List<Integer> handedOnIds() {
		return this.handedOn.stream().map((m) -> ((MqttPublishMessage) m).variableHeader().packetId()).toList();
	}

	@Test
	void aPressedPublisherIsNotReadAndItsPacketsWaitInOrderUntilTheSubscriberCatchesUp() {
		this.publisher.writeInbound(publish(1));
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();

		assertThat(this.publisher.config().isAutoRead()).isFalse();
		assertThat(this.limits.pausedPublishers()).isEqualTo(1);
		assertThat(this.limits.publisherPauses()).isEqualTo(1);
		// Already decoded from the last read: kept here, not handed to the engine.
		this.publisher.writeInbound(publish(2));
		this.publisher.writeInbound(publish(3));
		assertThat(handedOnIds()).containsExactly(1);

		this.board.relieve(this.subscriber);
		this.publisher.runPendingTasks();

		assertThat(handedOnIds()).containsExactly(1, 2, 3);
		assertThat(this.publisher.config().isAutoRead()).isTrue();
		assertThat(this.limits.pausedPublishers()).isZero();
		assertThat(this.board.holdingSubscribers()).isZero();
	}

	@Test
	void aPublisherGoesOnOnlyWhenEverySubscriberThatPressedItCaughtUp() {
		this.board.press(this.publisher, this.subscriber);
		this.board.press(this.publisher, this.otherSubscriber);
		this.publisher.runPendingTasks();
		this.publisher.writeInbound(publish(1));

		this.board.relieve(this.subscriber);
		this.publisher.runPendingTasks();
		assertThat(this.publisher.config().isAutoRead()).isFalse();
		assertThat(this.handedOn).isEmpty();
		// Pressed again while paused: still one pause.
		this.board.press(this.publisher, this.otherSubscriber);
		assertThat(this.limits.publisherPauses()).isEqualTo(1);

		this.board.relieve(this.otherSubscriber);
		this.publisher.runPendingTasks();
		assertThat(handedOnIds()).containsExactly(1);
		assertThat(this.publisher.config().isAutoRead()).isTrue();
	}

	@Test
	void aSubscriberThatDisconnectsLetsItsPublishersGo() {
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();
		this.publisher.writeInbound(publish(1));

		this.subscriber.close();
		this.publisher.runPendingTasks();

		assertThat(handedOnIds()).containsExactly(1);
		assertThat(this.publisher.config().isAutoRead()).isTrue();
		assertThat(this.limits.pausedPublishers()).isZero();
	}

	@Test
	void noPauseOutlastsTheLongestPause() throws InterruptedException {
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();
		this.publisher.writeInbound(publish(1));

		Thread.sleep(MAX_PAUSE_MILLIS + 100);
		this.publisher.runScheduledPendingTasks();

		assertThat(handedOnIds()).containsExactly(1);
		assertThat(this.publisher.config().isAutoRead()).isTrue();
		assertThat(this.limits.pausedPublishers()).isZero();
	}

	@Test
	void aShortKeepAliveShortensTheLongestPause() throws InterruptedException {
		// Keep-alive 1 s: the engine drops a client that reads nothing for 1.5 s, so 0.5 s at most.
		this.publisher.writeInbound(MqttMessageBuilders.connect().clientId("c").keepAlive(1).build());
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();

		Thread.sleep(600);
		this.publisher.runScheduledPendingTasks();

		assertThat(this.publisher.config().isAutoRead()).isTrue();
	}

	@Test
	void anotherReasonToPauseReadingIsNotUndoneByTheEndOfBackPressure() {
		ReadPauses.pause(this.publisher, ReadPauses.Reason.ENGINE);
		this.board.press(this.publisher, this.subscriber);
		this.board.relieve(this.subscriber);
		this.publisher.runPendingTasks();
		assertThat(this.publisher.config().isAutoRead()).as("the engine is still behind").isFalse();

		ReadPauses.resume(this.publisher, ReadPauses.Reason.ENGINE);
		assertThat(this.publisher.config().isAutoRead()).isTrue();
	}

	@Test
	void packetsHeldWhenTheConnectionEndsGoOnBeforeItsEndAndThePauseIsNoLongerCounted() {
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();
		this.publisher.writeInbound(publish(1));
		this.publisher.writeInbound(MqttMessage.DISCONNECT);
		List<Object> beforeTheEnd = new ArrayList<>();
		this.publisher.pipeline().addLast(new ChannelInboundHandlerAdapter() {
			@Override
			public void channelInactive(ChannelHandlerContext ctx) {
				beforeTheEnd.addAll(PublisherBackPressureTest.this.handedOn);
			}
		});

		this.publisher.close();

		// As the decoder hands on what it read before the end: a DISCONNECT still means no will.
		assertThat(beforeTheEnd).hasSize(2);
		assertThat(beforeTheEnd.get(1)).isSameAs(MqttMessage.DISCONNECT);
		assertThat(this.limits.pausedPublishers()).isZero();
	}

	@Test
	void packetsHeldWhenTheHandlerIsRemovedAreReleased() {
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();
		MqttPublishMessage held = publish(1);
		this.publisher.writeInbound(held);

		this.publisher.pipeline().removeFirst();

		assertThat(held.refCnt()).isZero();
		assertThat(this.limits.pausedPublishers()).isZero();
	}

	@Test
	void aConnectionWithoutTheHandlerIsNeverHeldBack() {
		this.board.press(this.subscriber, this.otherSubscriber);
		assertThat(this.subscriber.config().isAutoRead()).isTrue();
		assertThat(this.limits.publisherPauses()).isZero();
	}

	@Test
	void packetsOtherThanPublishWaitInOrderToo() {
		this.board.press(this.publisher, this.subscriber);
		this.publisher.runPendingTasks();
		this.publisher.writeInbound(publish(1));
		MqttMessage ping = MqttMessage.PINGREQ;
		this.publisher.writeInbound(ping);

		this.board.relieve(this.subscriber);
		this.publisher.runPendingTasks();

		assertThat(this.handedOn).hasSize(2);
		assertThat(this.handedOn.get(1)).isSameAs(ping);
	}

}

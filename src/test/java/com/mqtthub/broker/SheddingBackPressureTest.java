package com.mqtthub.broker;

import java.util.concurrent.TimeUnit;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A QoS 0 publisher held back for a subscriber that is behind goes on when that subscriber has
 * taken what it had unread or is gone, and a subscriber that took nothing for the longest pause
 * holds nobody back.
 */
class SheddingBackPressureTest {

	private static final int SLOW_CLIENT_BUFFER = 1000;

	private final BrokerLimits limits;

	private final BackPressure board = new BackPressure();

	private final EmbeddedChannel publisher;

	private final EmbeddedChannel otherPublisher;

	/** Holds what is written to it, as a socket does whose client does not read, until {@link #catchUp}. */
	private final EmbeddedChannel subscriber;

	SheddingBackPressureTest() {
		BrokerProperties properties = new BrokerProperties();
		properties.setSlowClientBuffer(DataSize.ofBytes(SLOW_CLIENT_BUFFER));
		this.limits = new BrokerLimits(properties);
		this.publisher = new EmbeddedChannel(new PublisherBackPressure(this.limits, TimeUnit.SECONDS.toNanos(10)));
		this.otherPublisher = new EmbeddedChannel(
				new PublisherBackPressure(this.limits, TimeUnit.SECONDS.toNanos(10)));
		this.subscriber = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
			@Override
			public void flush(ChannelHandlerContext ctx) {
			}
		}, new SlowClientShedding(this.limits, new ClientAddresses()));
	}

	@AfterEach
	void release() {
		this.publisher.finishAndReleaseAll();
		this.otherPublisher.finishAndReleaseAll();
		this.subscriber.finishAndReleaseAll();
	}

	private static MqttMessage publish(int bytes) {
		return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_MOST_ONCE).messageId(0)
			.payload(Unpooled.wrappedBuffer(new byte[bytes])).build();
	}

	/** Leaves more than half the slow-client buffer unread by the subscriber (Netty adds about 100 bytes per write). */
	private void fallBehind() {
		this.subscriber.write(publish(300));
		this.subscriber.write(publish(200));
	}

	/** The subscriber reads everything it had unread. */
	private void catchUp() {
		this.subscriber.unsafe().flush();
		this.subscriber.runPendingTasks();
	}

	private boolean paused(EmbeddedChannel client) {
		client.runPendingTasks();
		return PublisherBackPressure.of(client).isPaused();
	}

	@Test
	void aPublisherIsHeldBackUntilTheSubscriberHasTakenWhatItHadUnread() {
		SheddingBackPressure pressure = new SheddingBackPressure(SLOW_CLIENT_BUFFER, TimeUnit.SECONDS.toNanos(10),
				this.board);
		assertThat(pressure.behind(this.subscriber)).isFalse();
		fallBehind();
		assertThat(pressure.behind(this.subscriber)).isTrue();

		pressure.press(this.publisher, this.subscriber);
		pressure.press(this.otherPublisher, this.subscriber);
		this.subscriber.runPendingTasks();
		assertThat(paused(this.publisher)).isTrue();
		assertThat(paused(this.otherPublisher)).isTrue();
		assertThat(this.publisher.config().isAutoRead()).isFalse();

		catchUp();
		assertThat(pressure.behind(this.subscriber)).isFalse();
		assertThat(paused(this.publisher)).isFalse();
		assertThat(paused(this.otherPublisher)).isFalse();
		assertThat(this.publisher.config().isAutoRead()).isTrue();
		assertThat(pressure.behindSubscribers()).isZero();
		assertThat(this.board.holdingSubscribers()).isZero();
	}

	@Test
	void aSubscriberThatTookNothingForTheLongestPauseHoldsNobodyBack() throws InterruptedException {
		SheddingBackPressure pressure = new SheddingBackPressure(SLOW_CLIENT_BUFFER, TimeUnit.MILLISECONDS.toNanos(20),
				this.board);
		fallBehind();
		pressure.press(this.publisher, this.subscriber);
		this.subscriber.runPendingTasks();
		assertThat(paused(this.publisher)).isTrue();

		Thread.sleep(50);
		assertThat(pressure.press(this.otherPublisher, this.subscriber)).isFalse();
		assertThat(paused(this.otherPublisher)).as("held back after the subscriber stalled").isFalse();

		// Once it has caught up, it may hold publishers back again.
		catchUp();
		assertThat(paused(this.publisher)).isFalse();
		fallBehind();
		pressure.press(this.otherPublisher, this.subscriber);
		assertThat(paused(this.otherPublisher)).isTrue();
	}

	@Test
	void theEndOfTheSubscribersConnectionLetsItsPublishersGo() {
		SheddingBackPressure pressure = new SheddingBackPressure(SLOW_CLIENT_BUFFER, TimeUnit.SECONDS.toNanos(10),
				this.board);
		fallBehind();
		pressure.press(this.publisher, this.subscriber);
		this.subscriber.runPendingTasks();
		assertThat(paused(this.publisher)).isTrue();

		this.subscriber.close();
		this.subscriber.runPendingTasks();
		assertThat(paused(this.publisher)).isFalse();
		assertThat(pressure.behindSubscribers()).isZero();
		assertThat(this.board.watchedSubscribers()).isZero();
	}

	@Test
	void theEndOfASubscriberIsWatchedOnceHoweverOftenItHoldsPublishersBack() {
		for (int i = 0; i < 100; i++) {
			this.board.press(this.publisher, this.subscriber);
			this.board.relieve(this.subscriber);
		}
		assertThat(this.board.watchedSubscribers()).isEqualTo(1);
		this.subscriber.close();
		assertThat(this.board.watchedSubscribers()).isZero();
	}

}

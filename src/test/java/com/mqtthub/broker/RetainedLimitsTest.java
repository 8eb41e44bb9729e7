package com.mqtthub.broker;

import java.util.concurrent.ConcurrentSkipListMap;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mqtthub.security.RateLimitedLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedLimitsTest {

	private final BrokerLimits counters = new BrokerLimits(new BrokerProperties());

	private final RetainedQuota quota;

	private final RarePacketHandlers rare;

	private final EmbeddedChannel channel;

	RetainedLimitsTest() {
		BrokerProperties.Retained settings = new BrokerProperties.Retained();
		settings.setMaxMessagesPerUser(2);
		settings.setMaxBytesPerUser(DataSize.ofBytes(100));
		this.quota = new RetainedQuota(new ConcurrentSkipListMap<>(), settings, DataSize.ofMegabytes(256).toBytes(),
				this.counters);
		this.rare = new RarePacketHandlers(this.counters, this.quota, new ClientAddresses(), "handler");
		this.channel = RarePacketHandlersTest.connection(this.rare);
	}

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	private static MqttMessage connect(String username) {
		return MqttMessageBuilders.connect().clientId("c").username(username).password(new byte[] { 1 }).build();
	}

	private static MqttPublishMessage publish(String topic, int bytes, boolean retain) {
		return MqttMessageBuilders.publish()
			.topicName(topic)
			.qos(MqttQoS.AT_LEAST_ONCE)
			.messageId(1)
			.retained(retain)
			.payload(Unpooled.wrappedBuffer(new byte[bytes]))
			.build();
	}

	/** Sends {@code message} and returns what the handler passed on (released by the caller). */
	private MqttPublishMessage passed(MqttPublishMessage message) {
		this.channel.writeInbound(message);
		MqttPublishMessage out = this.channel.readInbound();
		assertThat(out).isNotNull();
		return out;
	}

	private boolean retainPassed(String topic, int bytes) {
		MqttPublishMessage out = passed(publish(topic, bytes, true));
		try {
			assertThat(out.content().readableBytes()).as("payload kept").isEqualTo(bytes);
			assertThat(out.variableHeader().topicName()).isEqualTo(topic);
			return out.fixedHeader().isRetain();
		}
		finally {
			out.release();
		}
	}

	@Test
	void retainedMessagesWithinTheLimitsPassUnchanged() {
		this.channel.writeInbound(connect("alice"));
		assertThat((Object) this.channel.readInbound()).isNotNull();
		assertThat(retainPassed("a/1", 60)).isTrue();
		this.quota.store("a/1", "alice", 60);
		assertThat(retainPassed("a/2", 40)).isTrue();
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isZero();
	}

	@Test
	void aRetainedMessageBeyondALimitGoesOnWithRetainZeroAndIsCounted() {
		this.channel.writeInbound(connect("alice"));
		this.channel.readInbound();
		this.quota.store("a/1", "alice", 60);
		assertThat(retainPassed("a/2", 41)).as("over the bytes per user").isFalse();
		this.quota.store("a/2", "alice", 40);
		assertThat(retainPassed("a/3", 1)).as("over the messages per user").isFalse();
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isEqualTo(1);
		assertThat(this.counters.refusals(Limit.RETAINED_MESSAGES_PER_USER)).isEqualTo(1);
		assertThat(retainPassed("a/1", 60)).as("a replacement no larger").isTrue();
		assertThat(retainPassed("a/3", 0)).as("a delete").isTrue();
		assertThat(this.channel.isOpen()).isTrue();
	}

	@Test
	void anotherUsersQuotaIsItsOwn() {
		this.quota.store("a/1", "alice", 100);
		this.channel.writeInbound(connect("bob"));
		this.channel.readInbound();
		assertThat(retainPassed("b/1", 100)).isTrue();
	}

	/** One line per connection is no bound when a client opens connections at will. */
	@Test
	void manyConnectionsOverTheirQuotaWriteNoMoreLinesThanTheRateLimit() {
		Logger logger = (Logger) LoggerFactory.getLogger(RetainedLimits.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		this.quota.store("a/1", "alice", 100);
		int connections = 3 * RateLimitedLog.DEFAULT_LINES;
		try {
			for (int i = 0; i < connections; i++) {
				EmbeddedChannel connection = RarePacketHandlersTest.connection(this.rare);
				try {
					connection.writeInbound(connect("alice"));
					connection.writeInbound(publish("a/" + (i + 2), 50, true));
				}
				finally {
					connection.finishAndReleaseAll();
				}
			}
		}
		finally {
			logger.detachAppender(appender);
		}
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isEqualTo(connections);
		assertThat(appender.list).filteredOn((event) -> event.getFormattedMessage().startsWith("Not retaining"))
			.hasSizeLessThanOrEqualTo(RateLimitedLog.DEFAULT_LINES);
	}

	@Test
	void messagesWithoutRetainAreNotLookedAt() {
		this.channel.writeInbound(connect("alice"));
		this.channel.readInbound();
		this.quota.store("a/1", "alice", 100);
		MqttPublishMessage out = passed(publish("a/2", 500, false));
		assertThat(out.fixedHeader().isRetain()).isFalse();
		out.release();
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isZero();
	}

}

package com.mqtthub.broker;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PublishTopicLimitsTest {

	private final BrokerLimits limits;

	private final AtomicInteger refusedConnects = new AtomicInteger();

	private final EmbeddedChannel channel;

	PublishTopicLimitsTest() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxTopicLevels(4);
		properties.setMaxTopicLength(20);
		this.limits = new BrokerLimits(properties);
		this.channel = new EmbeddedChannel(
				new PublishTopicLimits(this.limits, new ClientAddresses(), this.refusedConnects::incrementAndGet));
	}

	private static MqttPublishMessage publish(String topic) {
		return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_LEAST_ONCE).messageId(1)
			.payload(Unpooled.copiedBuffer(new byte[] { 1, 2 })).build();
	}

	private static MqttMessage connectWithWill(String willTopic) {
		return MqttMessageBuilders.connect().clientId("c").willFlag(true).willTopic(willTopic)
			.willMessage(new byte[] { 1 }).build();
	}

	@Test
	void oneInstanceServesManyConnectionsAndClosesOnlyTheOffender() {
		PublishTopicLimits shared = (PublishTopicLimits) this.channel.pipeline().first();
		EmbeddedChannel other = new EmbeddedChannel(shared);
		other.writeInbound(publish("a/b/c/d/e"));
		assertThat(other.isOpen()).isFalse();
		MqttPublishMessage fine = publish("a/b");
		this.channel.writeInbound(fine);
		assertThat((Object) this.channel.readInbound()).isSameAs(fine);
		fine.release();
		assertThat(this.channel.isOpen()).isTrue();
		other.finishAndReleaseAll();
	}

	@Test
	void topicsWithinTheBoundsPass() {
		MqttPublishMessage atTheBounds = publish("a/b/c/dddddddddddddd");
		this.channel.writeInbound(connectWithWill("a/b/c/d"), atTheBounds);
		assertThat((Object) this.channel.readInbound()).isNotNull();
		MqttPublishMessage passed = this.channel.readInbound();
		assertThat(passed).isSameAs(atTheBounds);
		passed.release();
		assertThat(this.channel.isOpen()).isTrue();
		assertThat(this.limits.refusals(Limit.TOPIC_LEVELS) + this.limits.refusals(Limit.TOPIC_LENGTH)).isZero();
	}

	@Test
	void aPublishTooDeepClosesTheConnectionAndIsCounted() {
		MqttPublishMessage tooDeep = publish("a/b/c/d/e");
		this.channel.writeInbound(tooDeep);
		assertThat((Object) this.channel.readInbound()).isNull();
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(tooDeep.refCnt()).as("released").isZero();
		assertThat(this.limits.refusals(Limit.TOPIC_LEVELS)).isEqualTo(1);
	}

	@Test
	void aPublishTooLongInUtf8BytesClosesTheConnectionAndIsCounted() {
		// Eleven characters, 22 bytes.
		this.channel.writeInbound(publish("ééééééééééé"));
		assertThat((Object) this.channel.readInbound()).isNull();
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(this.limits.refusals(Limit.TOPIC_LENGTH)).isEqualTo(1);
	}

	@Test
	void aWillTopicBeyondTheBoundsGetsConnackFiveThenTheConnectionCloses() {
		this.channel.writeInbound(connectWithWill("a/b/c/d/e"));
		assertThat((Object) this.channel.readInbound()).isNull();
		MqttConnAckMessage connAck = this.channel.readOutbound();
		assertThat(connAck.variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED);
		assertThat(this.channel.isOpen()).isFalse();
		assertThat(this.refusedConnects).hasValue(1);
		assertThat(this.limits.refusals(Limit.TOPIC_LEVELS)).isEqualTo(1);
	}

	@Test
	void utf8LengthCountsBytesNotCharacters() {
		assertThat(TopicLimits.utf8Length("a")).isEqualTo(1);
		assertThat(TopicLimits.utf8Length("é")).isEqualTo(2);
		assertThat(TopicLimits.utf8Length("€")).isEqualTo(3);
		assertThat(TopicLimits.utf8Length("😀")).isEqualTo(4);
		assertThat(TopicLimits.utf8Length("a/€/😀")).isEqualTo(1 + 1 + 3 + 1 + 4);
	}

}

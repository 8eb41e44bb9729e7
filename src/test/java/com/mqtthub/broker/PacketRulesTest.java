package com.mqtthub.broker;

import java.util.concurrent.atomic.AtomicInteger;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PacketRulesTest {

	private final AtomicInteger refused = new AtomicInteger();

	private final EmbeddedChannel channel = new EmbeddedChannel(
			new PacketRules(new ClientAddresses(), 1024, this.refused::incrementAndGet, RarePacketHandlersTest.rare()));

	private static MqttMessage connect(String clientId) {
		return MqttMessageBuilders.connect().clientId(clientId).build();
	}

	private static MqttMessage publish(String topic) {
		return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.AT_MOST_ONCE).payload(Unpooled.EMPTY_BUFFER)
			.build();
	}

	@Test
	void wellFormedPacketsPassInOrder() {
		this.channel.writeInbound(connect("ok"), publish("a/b"));
		assertThat((Object) this.channel.readInbound()).isNotNull();
		assertThat((Object) this.channel.readInbound()).isNotNull();
		assertThat(this.channel.isOpen()).isTrue();
	}

	@Test
	void aPacketBeforeConnectClosesTheConnection() {
		this.channel.writeInbound(publish("a/b"));
		assertThat((Object) this.channel.readInbound()).isNull();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aSecondConnectClosesTheConnection() {
		this.channel.writeInbound(connect("one"));
		this.channel.readInbound();
		this.channel.writeInbound(connect("two"));
		assertThat((Object) this.channel.readInbound()).isNull();
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void aTopicWithNulOrIllFormedUtf8ClosesTheConnection() {
		this.channel.writeInbound(connect("ok"));
		this.channel.readInbound();
		this.channel.writeInbound(publish("a\u0000b"));
		assertThat(this.channel.isOpen()).isFalse();

		EmbeddedChannel other = new EmbeddedChannel(new PacketRules(new ClientAddresses(), 1024, () -> {
		}, RarePacketHandlersTest.rare()));
		other.writeInbound(connect("ok"));
		other.readInbound();
		other.writeInbound(publish("a\uFFFDb"));
		assertThat(other.isOpen()).isFalse();
	}

	@Test
	void anUnacceptableProtocolLevelGetsConnackOneThenTheConnectionCloses() {
		this.channel.writeInbound(new MqttMessage(null, null, null,
				DecoderResult.failure(new MqttUnacceptableProtocolVersionException("level 9"))));
		MqttConnAckMessage connAck = this.channel.readOutbound();
		assertThat(connAck.variableHeader().connectReturnCode())
			.isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
		assertThat(this.refused).hasValue(1);
		assertThat(this.channel.isOpen()).isFalse();
	}

	@Test
	void anOversizedPacketClosesTheConnectionWithoutAnAnswer() {
		this.channel.writeInbound(new MqttMessage(null, null, null,
				DecoderResult.failure(new TooLongFrameException("too long"))));
		assertThat((Object) this.channel.readOutbound()).isNull();
		assertThat(this.channel.isOpen()).isFalse();
	}

}

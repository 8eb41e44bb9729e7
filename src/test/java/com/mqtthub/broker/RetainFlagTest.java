package com.mqtthub.broker;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetainFlagTest {

	/** Payloads the engine loaded for a new subscription, answered once each as the engine does. */
	private final Set<ByteBuf> forNewSubscription = Collections.newSetFromMap(new IdentityHashMap<>());

	private final EmbeddedChannel channel = new EmbeddedChannel(new RetainFlag(this.forNewSubscription::remove));

	private static MqttPublishMessage publish(MqttQoS qos, ByteBuf payload) {
		return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, qos, false, 0),
				new MqttPublishVariableHeader("t", (qos == MqttQoS.AT_MOST_ONCE) ? -1 : 7), payload);
	}

	@Test
	void aRetainedMessageSentForANewSubscriptionGetsRetainOneAtEveryQos() {
		// MQTT-3.3.1-8
		for (MqttQoS qos : new MqttQoS[] { MqttQoS.AT_MOST_ONCE, MqttQoS.AT_LEAST_ONCE, MqttQoS.EXACTLY_ONCE }) {
			ByteBuf payload = Unpooled.wrappedBuffer(new byte[] { 1, 2 });
			this.forNewSubscription.add(payload);
			this.channel.writeOutbound(publish(qos, payload));

			MqttPublishMessage sent = this.channel.readOutbound();
			assertThat(sent.fixedHeader().isRetain()).as("RETAIN at %s", qos).isTrue();
			assertThat(sent.fixedHeader().qosLevel()).isEqualTo(qos);
			assertThat(sent.variableHeader().packetId()).isEqualTo(qos == MqttQoS.AT_MOST_ONCE ? -1 : 7);
			assertThat(sent.content()).isSameAs(payload);
			sent.release();
		}
	}

	@Test
	void messagesForwardedLiveKeepRetainZero() {
		// MQTT-3.3.1-9; also a payload marked once is marked for its first sending only.
		ByteBuf payload = Unpooled.wrappedBuffer(new byte[] { 3 });
		this.forNewSubscription.add(payload);
		this.channel.writeOutbound(publish(MqttQoS.AT_LEAST_ONCE, payload.retain()));
		((MqttPublishMessage) this.channel.readOutbound()).release();

		this.channel.writeOutbound(publish(MqttQoS.AT_LEAST_ONCE, payload));
		MqttPublishMessage live = this.channel.readOutbound();
		assertThat(live.fixedHeader().isRetain()).isFalse();
		live.release();
		assertThat(this.channel.finish()).isFalse();
	}

}

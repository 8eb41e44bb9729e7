package com.mqtthub.broker;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class SlowClientSheddingTest {

	private static MqttMessage publish(MqttQoS qos, int bytes) {
		return MqttMessageBuilders.publish().topicName("t").qos(qos).messageId(qos == MqttQoS.AT_MOST_ONCE ? 0 : 1)
			.payload(Unpooled.wrappedBuffer(new byte[bytes])).build();
	}

	@Test
	void qosZeroIsDroppedOnlyWhileTheClientIsBehindAndCounted() {
		BrokerProperties properties = new BrokerProperties();
		properties.setSlowClientBuffer(DataSize.ofBytes(100));
		BrokerLimits limits = new BrokerLimits(properties);
		// Holds writes back, as a socket does whose client does not read.
		EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
			@Override
			public void flush(ChannelHandlerContext ctx) {
			}
		}, new SlowClientShedding(limits, new ClientAddresses()));
		channel.write(publish(MqttQoS.AT_MOST_ONCE, 150));
		ChannelPromise dropped = channel.newPromise();
		channel.write(publish(MqttQoS.AT_MOST_ONCE, 10), dropped);
		assertThat(dropped.isSuccess()).isTrue();
		assertThat(limits.droppedForSlowClients()).isEqualTo(1);
		// QoS 1 is never shed here: it was promised.
		channel.write(publish(MqttQoS.AT_LEAST_ONCE, 10));
		assertThat(limits.droppedForSlowClients()).isEqualTo(1);
		Object pending;
		while ((pending = channel.unsafe().outboundBuffer().current()) != null) {
			channel.unsafe().outboundBuffer().remove();
			ReferenceCountUtil.release(pending);
		}
		channel.finishAndReleaseAll();
	}

}

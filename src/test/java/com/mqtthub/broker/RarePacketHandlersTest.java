package com.mqtthub.broker;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class RarePacketHandlersTest {

	private final BrokerLimits counters = new BrokerLimits(new BrokerProperties());

	private final RetainedQuota quota = quota(this.counters);

	private final EmbeddedChannel channel = connection(
			new RarePacketHandlers(this.counters, this.quota, new ClientAddresses(), "handler"));

	/** A retained quota of 2 messages and 100 bytes per user. */
	static RetainedQuota quota(BrokerLimits counters) {
		BrokerProperties.Retained settings = new BrokerProperties.Retained();
		settings.setMaxMessagesPerUser(2);
		settings.setMaxBytesPerUser(DataSize.ofBytes(100));
		return new RetainedQuota(new ConcurrentSkipListMap<>(), settings, DataSize.ofMegabytes(256).toBytes(), counters);
	}

	static RarePacketHandlers rare() {
		BrokerLimits counters = new BrokerLimits(new BrokerProperties());
		return new RarePacketHandlers(counters, quota(counters), new ClientAddresses(), "handler");
	}

	/**
	 * A connection's pipeline as the listeners build it, in short: the packet rules, then a
	 * stand-in for the hand-off to the engine that passes everything on.
	 */
	static EmbeddedChannel connection(RarePacketHandlers rare) {
		EmbeddedChannel channel = new EmbeddedChannel();
		channel.pipeline().addLast("packetRules", new PacketRules(new ClientAddresses(), 1024, () -> {
		}, rare));
		channel.pipeline().addLast("handler", new ChannelInboundHandlerAdapter());
		return channel;
	}

	@AfterEach
	void close() {
		this.channel.finishAndReleaseAll();
	}

	private static MqttMessage connect(String username) {
		return MqttMessageBuilders.connect().clientId("c").username(username).password(new byte[] { 1 }).build();
	}

	private static MqttPublishMessage publish(MqttQoS qos, boolean retain, int packetId, int bytes) {
		return MqttMessageBuilders.publish()
			.topicName("a/" + packetId)
			.qos(qos)
			.messageId(packetId)
			.retained(retain)
			.payload(Unpooled.wrappedBuffer(new byte[bytes]))
			.build();
	}

	private List<String> names() {
		return this.channel.pipeline().names();
	}

	private void send(MqttMessage message) {
		this.channel.writeInbound(message);
		ReferenceCountUtil.release(this.channel.readInbound());
	}

	@Test
	void aConnectionThatSendsNeitherQos2NorRetainedHasNeitherHandler() {
		send(connect("alice"));
		send(publish(MqttQoS.AT_LEAST_ONCE, false, 1, 10));
		send(publish(MqttQoS.AT_MOST_ONCE, false, 0, 10));
		assertThat(names()).doesNotContain(RarePacketHandlers.QOS2_RECEIPTS, RarePacketHandlers.RETAINED_LIMITS);
	}

	/** The first QoS 2 PUBLISH itself goes through the receipts: its duplicate is answered, not delivered. */
	@Test
	void theFirstQos2PublishBringsTheReceiptsBeforeTheHandOff() {
		send(connect("alice"));
		send(publish(MqttQoS.EXACTLY_ONCE, false, 7, 10));
		assertThat(names()).containsSubsequence("packetRules", RarePacketHandlers.QOS2_RECEIPTS, "handler")
			.doesNotContain(RarePacketHandlers.RETAINED_LIMITS);

		this.channel.writeInbound(publish(MqttQoS.EXACTLY_ONCE, false, 7, 10));
		assertThat((Object) this.channel.readInbound()).as("a duplicate is not delivered again").isNull();
		MqttMessage pubrec = this.channel.readOutbound();
		assertThat(pubrec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
		assertThat(((MqttMessageIdVariableHeader) pubrec.variableHeader()).messageId()).isEqualTo(7);
	}

	@Test
	void theFirstRetainedPublishBringsTheLimitsForTheUserOfTheConnect() {
		this.quota.store("a/1", "alice", 100);
		send(connect("alice"));
		this.channel.writeInbound(publish(MqttQoS.AT_LEAST_ONCE, true, 2, 50));
		MqttPublishMessage out = this.channel.readInbound();
		try {
			assertThat(out.fixedHeader().isRetain()).as("over alice's quota from the first one").isFalse();
		}
		finally {
			out.release();
		}
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isEqualTo(1);
		assertThat(names()).containsSubsequence("packetRules", RarePacketHandlers.RETAINED_LIMITS, "handler");
	}

	/** Both in the order they had when every pipeline held them, whichever came first. */
	@Test
	void receiptsGoBeforeRetainedLimitsThatCameFirst() {
		send(connect("alice"));
		send(publish(MqttQoS.AT_LEAST_ONCE, true, 1, 10));
		send(publish(MqttQoS.EXACTLY_ONCE, true, 2, 10));
		send(publish(MqttQoS.EXACTLY_ONCE, true, 3, 10));
		assertThat(names()).containsSubsequence("packetRules", RarePacketHandlers.QOS2_RECEIPTS,
				RarePacketHandlers.RETAINED_LIMITS, "handler");
		assertThat(names()).filteredOn(RarePacketHandlers.QOS2_RECEIPTS::equals).hasSize(1);
		assertThat(names()).filteredOn(RarePacketHandlers.RETAINED_LIMITS::equals).hasSize(1);
	}

}

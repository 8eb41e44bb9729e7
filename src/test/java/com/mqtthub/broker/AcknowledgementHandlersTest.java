package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Qos2Receipts} and {@link DurableAcknowledgements}. */
class AcknowledgementHandlersTest {

	private static MqttMessage ack(MqttMessageType type, int packetId) {
		return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

	private static MqttMessage qos2(int packetId) {
		return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.EXACTLY_ONCE).messageId(packetId)
			.payload(Unpooled.copiedBuffer(new byte[] { 1 })).build();
	}

	@Test
	void aResentQos2PublishIsAnsweredAgainAndDeliveredOnce() {
		EmbeddedChannel channel = new EmbeddedChannel(receipts(new BrokerLimits(new BrokerProperties())));
		channel.writeInbound(qos2(5));
		ReferenceCountUtil.release(channel.readInbound());
		channel.writeInbound(qos2(5));
		assertThat((Object) channel.readInbound()).as("not delivered again").isNull();
		MqttMessage pubRec = channel.readOutbound();
		assertThat(pubRec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
		assertThat(((MqttMessageIdVariableHeader) pubRec.variableHeader()).messageId()).isEqualTo(5);

		// Released: the id may carry a new message.
		channel.writeInbound(ack(MqttMessageType.PUBREL, 5));
		assertThat((Object) channel.readInbound()).isNotNull();
		channel.writeInbound(qos2(5));
		Object again = channel.readInbound();
		assertThat(again).isNotNull();
		ReferenceCountUtil.release(again);
	}

	private static Qos2Receipts receipts(BrokerLimits limits) {
		return new Qos2Receipts(3, 10, limits, new ClientAddresses());
	}

	private static MqttMessage qos2(int packetId, int payloadBytes) {
		return MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.EXACTLY_ONCE).messageId(packetId)
			.payload(Unpooled.copiedBuffer(new byte[payloadBytes])).build();
	}

	@Test
	void aClientThatNeverReleasesItsQos2MessagesIsCutOffAtTheCount() {
		BrokerLimits limits = new BrokerLimits(new BrokerProperties());
		EmbeddedChannel channel = new EmbeddedChannel(receipts(limits));
		for (int id = 1; id <= 3; id++) {
			channel.writeInbound(qos2(id));
			ReferenceCountUtil.release(channel.readInbound());
		}
		// A PUBREL makes room for one more.
		channel.writeInbound(ack(MqttMessageType.PUBREL, 1));
		assertThat((Object) channel.readInbound()).isNotNull();
		channel.writeInbound(qos2(4));
		ReferenceCountUtil.release(channel.readInbound());
		assertThat(channel.isOpen()).isTrue();

		MqttMessage oneTooMany = qos2(5);
		channel.writeInbound(oneTooMany);
		assertThat((Object) channel.readInbound()).as("not passed on").isNull();
		assertThat(((io.netty.handler.codec.mqtt.MqttPublishMessage) oneTooMany).refCnt()).as("released").isZero();
		assertThat(channel.isOpen()).isFalse();
		assertThat(limits.refusals(Limit.UNRELEASED_QOS2)).isEqualTo(1);
	}

	@Test
	void aClientThatNeverReleasesItsQos2MessagesIsCutOffAtTheBytes() {
		BrokerLimits limits = new BrokerLimits(new BrokerProperties());
		EmbeddedChannel channel = new EmbeddedChannel(receipts(limits));
		channel.writeInbound(qos2(1, 6));
		ReferenceCountUtil.release(channel.readInbound());
		channel.writeInbound(qos2(2, 4));
		ReferenceCountUtil.release(channel.readInbound());
		assertThat(channel.isOpen()).as("10 bytes are allowed").isTrue();
		channel.writeInbound(qos2(3, 1));
		assertThat(channel.isOpen()).isFalse();
		assertThat(limits.refusals(Limit.UNRELEASED_QOS2)).isEqualTo(1);
	}

	@Test
	void acknowledgementsWaitForTheCommitAndKeepTheirOrder() {
		List<Runnable> waiting = new ArrayList<>();
		EmbeddedChannel channel = new EmbeddedChannel(new DurableAcknowledgements(waiting::add));
		channel.writeInbound(MqttMessageBuilders.connect().clientId("c").cleanSession(false).build());
		channel.readInbound();

		channel.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
		channel.writeOutbound(ack(MqttMessageType.PUBACK, 1), ack(MqttMessageType.PUBREC, 2));
		channel.writeOutbound(ack(MqttMessageType.PUBCOMP, 3));
		// Only PUBCOMP confirms nothing stored: it leaves at once.
		assertThat(((MqttMessage) channel.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
		assertThat((Object) channel.readOutbound()).isNull();
		assertThat(waiting).hasSize(3);

		waiting.forEach(Runnable::run);
		channel.runPendingTasks();
		assertThat(((MqttMessage) channel.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
		assertThat(((MqttMessage) channel.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
		assertThat(((MqttMessage) channel.readOutbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
	}

	@Test
	void aRefusingConnackAndACleanSessionsConnackGoAtOnce() {
		List<Runnable> waiting = new ArrayList<>();
		EmbeddedChannel clean = new EmbeddedChannel(new DurableAcknowledgements(waiting::add));
		clean.writeInbound(MqttMessageBuilders.connect().clientId("c").cleanSession(true).build());
		clean.readInbound();
		clean.writeOutbound(MqttMessageBuilders.connAck().returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).build());
		assertThat((Object) clean.readOutbound()).isNotNull();

		EmbeddedChannel refused = new EmbeddedChannel(new DurableAcknowledgements(waiting::add));
		refused.writeInbound(MqttMessageBuilders.connect().clientId("c").cleanSession(false).build());
		refused.readInbound();
		refused.writeOutbound(MqttMessageBuilders.connAck()
			.returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
			.build());
		assertThat((Object) refused.readOutbound()).isNotNull();
		assertThat(waiting).isEmpty();
	}

}

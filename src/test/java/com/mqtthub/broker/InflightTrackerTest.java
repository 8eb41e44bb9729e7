package com.mqtthub.broker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InflightTrackerTest {

	/** The broker's store, in memory. */
	private final Map<String, byte[]> records = new org.h2.mvstore.MVStore.Builder().open().openMap("inflight");

	private final List<Integer> continuedAfter = new ArrayList<>();

	private int commits;

	private EmbeddedChannel connect(InflightStore store, boolean cleanSession) {
		EmbeddedChannel channel = new EmbeddedChannel(new InflightTracker(store,
				(ch, packetId) -> this.continuedAfter.add(packetId), () -> this.commits++, (loop) -> {
				}));
		MqttConnectMessage connect = MqttMessageBuilders.connect()
			.clientId("device")
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(cleanSession)
			.build();
		channel.writeInbound(connect);
		assertThat((Object) channel.readInbound()).isSameAs(connect);
		MqttConnAckMessage connAck = MqttMessageBuilders.connAck()
			.returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
			.sessionPresent(!cleanSession)
			.build();
		channel.writeOutbound(connAck);
		assertThat((Object) channel.readOutbound()).isSameAs(connAck);
		return channel;
	}

	private static MqttPublishMessage publish(int packetId, int qos, String payload) {
		return MqttMessageBuilders.publish()
			.topicName("a/b")
			.qos(MqttQoS.valueOf(qos))
			.messageId(packetId)
			.payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8))
			.build();
	}

	private static MqttMessage ack(MqttMessageType type, int packetId) {
		return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

	@Test
	void unacknowledgedMessagesAreSentAgainFirstWithDupAndTheirIds() {
		InflightStore store = new InflightStore(this.records);
		EmbeddedChannel first = connect(store, false);
		first.writeOutbound(publish(7, 1, "one"), publish(8, 2, "two"), publish(9, 1, "acked"));
		first.writeInbound(ack(MqttMessageType.PUBACK, 9));
		// The engine knows these messages: their acknowledgements go on to it.
		assertThat(((MqttMessage) first.readInbound()).fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
		first.finishAndReleaseAll();
		assertThat(this.commits).isGreaterThanOrEqualTo(4);

		EmbeddedChannel second = connect(store, false);
		assertThat(this.continuedAfter).endsWith(9);
		MqttPublishMessage again1 = second.readOutbound();
		MqttPublishMessage again2 = second.readOutbound();
		assertThat(again1.fixedHeader().isDup()).isTrue();
		assertThat(again1.variableHeader().packetId()).isEqualTo(7);
		assertThat(again1.content().toString(StandardCharsets.UTF_8)).isEqualTo("one");
		assertThat(again2.variableHeader().packetId()).isEqualTo(8);
		assertThat(again2.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
		assertThat((Object) second.readOutbound()).isNull();
		ReferenceCountUtil.release(again1);
		ReferenceCountUtil.release(again2);

		// PUBREC: from now on PUBREL is what is sent again.
		second.writeInbound(ack(MqttMessageType.PUBACK, 7), ack(MqttMessageType.PUBREC, 8));
		second.finishAndReleaseAll();
		EmbeddedChannel third = connect(store, false);
		MqttMessage pubRel = third.readOutbound();
		assertThat(pubRel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
		assertThat(((MqttMessageIdVariableHeader) pubRel.variableHeader()).messageId()).isEqualTo(8);
		third.writeInbound(ack(MqttMessageType.PUBCOMP, 8));
		third.finishAndReleaseAll();
		assertThat(this.records).isEmpty();
	}

	@Test
	void afterARestartTheHubAnswersAcknowledgementsTheEngineDoesNotKnow() {
		EmbeddedChannel before = connect(new InflightStore(this.records), false);
		before.writeOutbound(publish(3, 1, "q1"), publish(4, 2, "q2"));
		before.finishAndReleaseAll();

		// A new process: the same stored records, unknown to the engine.
		EmbeddedChannel after = connect(new InflightStore(this.records), false);
		ReferenceCountUtil.release(after.readOutbound());
		ReferenceCountUtil.release(after.readOutbound());
		after.writeInbound(ack(MqttMessageType.PUBACK, 3), ack(MqttMessageType.PUBREC, 4));
		assertThat((Object) after.readInbound()).as("nothing reaches the engine").isNull();
		MqttMessage pubRel = after.readOutbound();
		assertThat(pubRel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
		after.writeInbound(ack(MqttMessageType.PUBCOMP, 4));
		assertThat((Object) after.readInbound()).isNull();
		assertThat(this.records).isEmpty();
		after.finishAndReleaseAll();
	}

	@Test
	void aCleanSessionKeepsNothingAndDropsWhatAnEarlierSessionLeft() {
		InflightStore store = new InflightStore(this.records);
		EmbeddedChannel persistent = connect(store, false);
		persistent.writeOutbound(publish(1, 1, "left behind"));
		persistent.finishAndReleaseAll();
		assertThat(this.records).hasSize(1);

		EmbeddedChannel clean = connect(store, true);
		assertThat(this.records).isEmpty();
		clean.writeOutbound(publish(2, 1, "not kept"));
		assertThat(this.records).isEmpty();
		clean.finishAndReleaseAll();
	}

	@Test
	void aRefusedConnectionSendsNothingAgain() {
		InflightStore store = new InflightStore(this.records);
		EmbeddedChannel persistent = connect(store, false);
		persistent.writeOutbound(publish(1, 1, "kept"));
		persistent.finishAndReleaseAll();

		EmbeddedChannel refused = new EmbeddedChannel(new InflightTracker(store, (ch, id) -> {
		}, () -> {
		}, (loop) -> {
		}));
		refused.writeInbound(MqttMessageBuilders.connect().clientId("device").cleanSession(false).build());
		refused.readInbound();
		refused.writeOutbound(MqttMessageBuilders.connAck()
			.returnCode(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
			.build());
		refused.readOutbound();
		assertThat((Object) refused.readOutbound()).isNull();
		assertThat(this.records).hasSize(1);
		refused.finishAndReleaseAll();
	}

}

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

	/** What the engine holds as in flight for the next connection. */
	private final List<io.moquette.broker.MoquetteCore.HeldMessage> held = new ArrayList<>();

	private final InflightTracker.EngineSession engine = new InflightTracker.EngineSession() {

		@Override
		public void continueAfter(io.netty.channel.Channel channel, int packetId) {
			InflightTrackerTest.this.continuedAfter.add(packetId);
		}

		@Override
		public List<io.moquette.broker.MoquetteCore.HeldMessage> heldInFlight(io.netty.channel.Channel channel) {
			return List.copyOf(InflightTrackerTest.this.held);
		}

	};

	private EmbeddedChannel connect(InflightStore store, boolean cleanSession) {
		EmbeddedChannel channel = new EmbeddedChannel(new InflightTracker(store, this.engine,
				() -> this.commits++, (loop) -> {
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
	void aCleanSessionLeavesThePipelineOnceAcceptedAndAPersistentOneStays() {
		InflightStore store = new InflightStore(this.records);
		EmbeddedChannel clean = connect(store, true);
		assertThat(clean.pipeline().get(InflightTracker.class)).isNull();
		// Nothing of a clean session is recorded (it was not before either).
		clean.writeOutbound(publish(3, 1, "clean"));
		ReferenceCountUtil.release(clean.readOutbound());
		assertThat(this.records).isEmpty();
		clean.finishAndReleaseAll();

		EmbeddedChannel persistent = connect(store, false);
		assertThat(persistent.pipeline().get(InflightTracker.class)).isNotNull();
		persistent.finishAndReleaseAll();
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
	void messagesTheEngineNeverWroteAreSentAfterTheRecordedOnesAndKeepTheirIds() {
		InflightStore store = new InflightStore(this.records);
		EmbeddedChannel first = connect(store, false);
		first.writeOutbound(publish(65534, 1, "written"));
		first.finishAndReleaseAll();
		// The engine numbered two more, but dropped their writes: the connection was not writable.
		byte[] payload = "never written".getBytes(StandardCharsets.UTF_8);
		this.held.add(new io.moquette.broker.MoquetteCore.HeldMessage(1, 1, false, "a/b", payload));
		this.held.add(new io.moquette.broker.MoquetteCore.HeldMessage(65534, 1, false, "a/b", payload));
		this.held.add(new io.moquette.broker.MoquetteCore.HeldMessage(65535, 2, true, "a/c", payload));

		EmbeddedChannel second = connect(store, false);
		// Not after 65534: the engine's next message would take 65535 and push the held one out.
		assertThat(this.continuedAfter).endsWith(1);
		MqttPublishMessage recorded = second.readOutbound();
		assertThat(recorded.variableHeader().packetId()).isEqualTo(65534);
		assertThat(recorded.fixedHeader().isDup()).isTrue();
		MqttPublishMessage wrapped = second.readOutbound();
		assertThat(wrapped.variableHeader().packetId()).isEqualTo(65535);
		assertThat(wrapped.fixedHeader().isDup()).as("never sent before").isFalse();
		assertThat(wrapped.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
		assertThat(wrapped.fixedHeader().isRetain()).isTrue();
		assertThat(wrapped.variableHeader().topicName()).isEqualTo("a/c");
		MqttPublishMessage after = second.readOutbound();
		assertThat(after.variableHeader().packetId()).isEqualTo(1);
		assertThat(after.content().toString(StandardCharsets.UTF_8)).isEqualTo("never written");
		assertThat((Object) second.readOutbound()).isNull();
		ReferenceCountUtil.release(recorded);
		ReferenceCountUtil.release(wrapped);
		ReferenceCountUtil.release(after);
		second.finishAndReleaseAll();

		// Recorded now: sent again after a restart, when the engine no longer holds them.
		this.held.clear();
		EmbeddedChannel third = connect(new InflightStore(this.records), false);
		List<Integer> ids = new ArrayList<>();
		for (Object message; (message = third.readOutbound()) != null;) {
			ids.add(((MqttPublishMessage) message).variableHeader().packetId());
			ReferenceCountUtil.release(message);
		}
		assertThat(ids).containsExactly(65534, 65535, 1);
		third.finishAndReleaseAll();
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

		EmbeddedChannel refused = new EmbeddedChannel(new InflightTracker(store, this.engine, () -> {
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

package com.mqtthub.broker;

import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EngineAnswersTest {

	private final EngineAnswers answers = new EngineAnswers();

	@Test
	void packetsOweTheAnswersOfTheirQos() {
		assertThat(EngineAnswers.owedFor(publish(1, MqttQoS.AT_MOST_ONCE))).isNull();
		assertThat(EngineAnswers.owedFor(publish(1, MqttQoS.AT_LEAST_ONCE))).isEqualTo(MqttMessageType.PUBACK);
		assertThat(EngineAnswers.owedFor(publish(1, MqttQoS.EXACTLY_ONCE))).isEqualTo(MqttMessageType.PUBREC);
		assertThat(EngineAnswers.owedFor(packet(MqttMessageType.PUBREL, 1))).isEqualTo(MqttMessageType.PUBCOMP);
		assertThat(EngineAnswers.owedFor(packet(MqttMessageType.PUBREC, 1))).isEqualTo(MqttMessageType.PUBREL);
		assertThat(EngineAnswers.owedFor(packet(MqttMessageType.PUBACK, 1))).isNull();
		assertThat(EngineAnswers.owedFor(packet(MqttMessageType.PUBCOMP, 1))).isNull();
	}

	@Test
	void answersWrittenLeaveNothingOwed() {
		handOver(publish(1, MqttQoS.AT_LEAST_ONCE));
		handOver(publish(2, MqttQoS.EXACTLY_ONCE));
		handOver(packet(MqttMessageType.PUBREL, 3));
		long mark = this.answers.mark();
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, 1));
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBREC, 2));
		assertThat(this.answers.owing()).isTrue();
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBCOMP, 3));

		assertThat(this.answers.owing()).isFalse();
		assertThat(this.answers.dropped(mark)).isEmpty();
	}

	@Test
	void answersAreWrittenAsTheEngineWritesThem() {
		MqttMessage pubRel = EngineAnswers.answer(MqttMessageType.PUBREL, 5);
		assertThat(pubRel.fixedHeader().qosLevel()).as("MQTT-3.6.1-1").isEqualTo(MqttQoS.AT_LEAST_ONCE);
		assertThat(EngineAnswers.answer(MqttMessageType.PUBACK, 5).fixedHeader().qosLevel())
			.isEqualTo(MqttQoS.AT_MOST_ONCE);
		assertThat(describe(pubRel)).isEqualTo("PUBREL 5");
	}

	@Test
	void anAnswerStillOwedAfterTheEngineRanWasDropped() {
		handOver(publish(1, MqttQoS.AT_LEAST_ONCE));
		handOver(publish(2, MqttQoS.AT_LEAST_ONCE));
		handOver(publish(3, MqttQoS.AT_LEAST_ONCE));
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, 2));
		long mark = this.answers.mark();

		assertThat(this.answers.dropped(mark)).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBACK 1", "PUBACK 3");
		assertThat(this.answers.owing()).isFalse();
	}

	@Test
	void onlyPacketsHandedOverBeforeTheMarkAreLookedAt() {
		handOver(publish(1, MqttQoS.AT_LEAST_ONCE));
		long mark = this.answers.mark();
		handOver(publish(2, MqttQoS.EXACTLY_ONCE));

		assertThat(this.answers.dropped(mark)).extracting(EngineAnswersTest::describe).containsExactly("PUBACK 1");
		assertThat(this.answers.owing()).as("the engine may still answer 2").isTrue();
		assertThat(this.answers.dropped(this.answers.mark())).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBREC 2");
	}

	@Test
	void anAnswerOfTheWrongTypeOrIdSettlesNothing() {
		handOver(publish(1, MqttQoS.AT_LEAST_ONCE));
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBREC, 1));
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, 2));

		assertThat(this.answers.dropped(this.answers.mark())).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBACK 1");
	}

	@Test
	void theOrderHoldsWhileTheRingWrapsAndGrows() {
		for (int id = 1; id <= 3; id++) {
			handOver(publish(id, MqttQoS.AT_LEAST_ONCE));
		}
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, 1));
		this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, 2));
		for (int id = 4; id <= 40; id++) {
			handOver(publish(id, MqttQoS.AT_LEAST_ONCE));
		}
		for (int id = 3; id <= 40; id++) {
			if (id % 10 != 0) {
				this.answers.written(EngineAnswers.answer(MqttMessageType.PUBACK, id));
			}
		}
		assertThat(this.answers.dropped(this.answers.mark())).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBACK 10", "PUBACK 20", "PUBACK 30", "PUBACK 40");
		assertThat(this.answers.owing()).isFalse();
	}

	@Test
	void nothingHandedOverBeforeTheEngineWithheldAnAnswerIsAnswered() {
		handOver(publish(1, MqttQoS.AT_LEAST_ONCE));
		handOver(publish(2, MqttQoS.AT_LEAST_ONCE));
		this.answers.withheld();
		handOver(publish(3, MqttQoS.AT_LEAST_ONCE));

		assertThat(this.answers.dropped(this.answers.mark())).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBACK 3");
		assertThat(this.answers.owing()).isFalse();
	}

	@Test
	void atMostMaxOwedAreKeptAndNoneOfThemIsAnsweredHere() {
		for (int i = 0; i < EngineAnswers.MAX_OWED + 10; i++) {
			handOver(publish(i % 65535 + 1, MqttQoS.AT_LEAST_ONCE));
		}
		assertThat(this.answers.dropped(this.answers.mark())).isEmpty();
		assertThat(this.answers.owing()).isFalse();

		// Once all are settled, new packets are noted again.
		handOver(publish(5, MqttQoS.AT_LEAST_ONCE));
		assertThat(this.answers.dropped(this.answers.mark())).extracting(EngineAnswersTest::describe)
			.containsExactly("PUBACK 5");
	}

	@Test
	void oneLookAtATimeAndAnotherIfAskedMeanwhile() {
		assertThat(this.answers.startLooking()).isTrue();
		assertThat(this.answers.startLooking()).isFalse();
		assertThat(this.answers.doneLooking()).as("asked again meanwhile").isTrue();
		assertThat(this.answers.startLooking()).isTrue();
		assertThat(this.answers.doneLooking()).isFalse();
	}

	private void handOver(MqttMessage packet) {
		this.answers.handedOver(packet, EngineAnswers.owedFor(packet));
	}

	private static String describe(MqttMessage answer) {
		return answer.fixedHeader().messageType() + " "
				+ ((MqttMessageIdVariableHeader) answer.variableHeader()).messageId();
	}

	private static MqttMessage publish(int packetId, MqttQoS qos) {
		return MqttMessageBuilders.publish().topicName("t").qos(qos).messageId(packetId)
			.payload(Unpooled.EMPTY_BUFFER).build();
	}

	private static MqttMessage packet(MqttMessageType type, int packetId) {
		return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_LEAST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

}

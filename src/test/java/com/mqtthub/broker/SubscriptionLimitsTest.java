package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionLimitsTest {

	private static final int FAILURE = 0x80;

	/** The engine's subscriptions as the handler sees them, by client id. */
	private final Map<String, Set<String>> engine = new HashMap<>();

	private String assignedId;

	private final BrokerLimits limits;

	private final EmbeddedChannel channel;

	SubscriptionLimitsTest() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxTopicLevels(3);
		properties.setMaxTopicLength(12);
		properties.setMaxFiltersPerSubscribe(4);
		properties.setMaxSubscriptionsPerClient(3);
		this.limits = new BrokerLimits(properties);
		SubscriptionLimits.Subscriptions subscriptions = new SubscriptionLimits.Subscriptions() {

			@Override
			public int count(String clientId) {
				return SubscriptionLimitsTest.this.engine.getOrDefault(clientId, Set.of()).size();
			}

			@Override
			public boolean holds(String clientId, String filter) {
				return SubscriptionLimitsTest.this.engine.getOrDefault(clientId, Set.of()).contains(filter);
			}

			@Override
			public String clientIdOf(Channel channel) {
				return SubscriptionLimitsTest.this.assignedId;
			}

		};
		this.channel = new EmbeddedChannel(new SubscriptionLimits(this.limits, subscriptions, new ClientAddresses()));
	}

	private void connect(String clientId) {
		this.channel.writeInbound(MqttMessageBuilders.connect().clientId(clientId).build());
		assertThat((Object) this.channel.readInbound()).isNotNull();
	}

	private static MqttSubscribeMessage subscribe(int packetId, String... filters) {
		MqttMessageBuilders.SubscribeBuilder builder = MqttMessageBuilders.subscribe().messageId(packetId);
		for (String filter : filters) {
			builder.addSubscription(MqttQoS.AT_LEAST_ONCE, filter);
		}
		return builder.build();
	}

	/** Sends a SUBSCRIBE; returns the filters the engine is handed. */
	private List<String> send(MqttSubscribeMessage subscribe) {
		this.channel.writeInbound(subscribe);
		MqttSubscribeMessage passed = this.channel.readInbound();
		List<String> filters = new ArrayList<>();
		for (MqttTopicSubscription subscription : passed.payload().topicSubscriptions()) {
			filters.add(subscription.topicFilter());
		}
		return filters;
	}

	/** The engine grants and answers with these codes; returns the codes the client gets. */
	private List<Integer> engineAnswers(int packetId, String clientId, List<String> granted, int... codes) {
		this.engine.computeIfAbsent(clientId, (id) -> new HashSet<>()).addAll(granted);
		this.channel.writeOutbound(new MqttSubAckMessage(
				new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(codes)));
		MqttSubAckMessage subAck = this.channel.readOutbound();
		assertThat(subAck.variableHeader().messageId()).isEqualTo(packetId);
		return subAck.payload().grantedQoSLevels();
	}

	@Test
	void aSubscribeWithinTheBoundsPassesUnchanged() {
		connect("c");
		MqttSubscribeMessage subscribe = subscribe(1, "a/b/c", "x");
		this.channel.writeInbound(subscribe);
		assertThat((Object) this.channel.readInbound()).isSameAs(subscribe);
		assertThat(engineAnswers(1, "c", List.of("a/b/c", "x"), 1, 1)).containsExactly(1, 1);
	}

	@Test
	void filtersTooDeepOrLongAreRefusedInPlaceAndTheOthersGrantedByTheEngine() {
		connect("c");
		assertThat(send(subscribe(7, "ok", "a/b/c/d", "fine/+", "thirteen-byte"))).containsExactly("ok", "fine/+");
		assertThat(engineAnswers(7, "c", List.of("ok", "fine/+"), 1, 0)).containsExactly(1, FAILURE, 0, FAILURE);
		assertThat(this.limits.refusals(Limit.TOPIC_LEVELS)).isEqualTo(1);
		assertThat(this.limits.refusals(Limit.TOPIC_LENGTH)).isEqualTo(1);
	}

	@Test
	void filtersBeyondTheMaximumPerSubscribeAreRefused() {
		connect("c");
		this.engine.put("c", new HashSet<>(Set.of("a", "b", "c")));
		// Re-subscriptions only: none is new, five in one packet is what is too many.
		assertThat(send(subscribe(2, "a", "b", "c", "a", "b"))).containsExactly("a", "b", "c", "a");
		assertThat(engineAnswers(2, "c", List.of(), 1, 1, 1, 1)).containsExactly(1, 1, 1, 1, FAILURE);
		assertThat(this.limits.refusals(Limit.FILTERS_PER_SUBSCRIBE)).isEqualTo(1);
	}

	@Test
	void newSubscriptionsBeyondTheMaximumPerClientAreRefusedButResubscribingIsNotNew() {
		connect("c");
		// Restored from a persistent session, or subscribed on an earlier connection.
		this.engine.put("c", new HashSet<>(Set.of("a", "b")));
		assertThat(send(subscribe(3, "a", "n1", "n2", "b"))).containsExactly("a", "n1", "b");
		assertThat(engineAnswers(3, "c", List.of("n1"), 1, 1, 1)).containsExactly(1, 1, FAILURE, 1);
		assertThat(this.limits.refusals(Limit.SUBSCRIPTIONS_PER_CLIENT)).isEqualTo(1);
		// At the maximum, the same filter again is still granted.
		assertThat(send(subscribe(4, "n1", "n3"))).containsExactly("n1");
	}

	@Test
	void subscriptionsTheEngineHasNotAddedYetCountToo() {
		connect("c");
		assertThat(send(subscribe(1, "a", "b"))).containsExactly("a", "b");
		// The engine has not handled the first SUBSCRIBE yet when the second comes.
		assertThat(send(subscribe(2, "a", "c", "d"))).containsExactly("a", "c");
		assertThat(engineAnswers(1, "c", List.of("a", "b"), 1, 1)).containsExactly(1, 1);
		assertThat(engineAnswers(2, "c", List.of("c"), 1, 1)).containsExactly(1, 1, FAILURE);
	}

	@Test
	void whenEveryFilterIsRefusedTheEngineSeesAnEmptySubscribeAndTheClientGetsAllFailures() {
		connect("c");
		assertThat(send(subscribe(5, "a/b/c/d", "a/b/c/d/e"))).isEmpty();
		assertThat(engineAnswers(5, "c", List.of())).containsExactly(FAILURE, FAILURE);
	}

	@Test
	void theClientIdTheHubAssignedIsCounted() {
		connect("");
		this.assignedId = "auto-1";
		this.engine.put("auto-1", new HashSet<>(Set.of("a", "b", "c")));
		assertThat(send(subscribe(1, "d"))).isEmpty();
		assertThat(engineAnswers(1, "auto-1", List.of())).containsExactly(FAILURE);
	}

	@Test
	void anUnsubscribeLosesOnlyTheFiltersNoSubscriptionCanHave() {
		connect("c");
		this.channel.writeInbound(MqttMessageBuilders.unsubscribe().messageId(9).addTopicFilter("a/b")
			.addTopicFilter("a/b/c/d/e/f").build());
		MqttUnsubscribeMessage passed = this.channel.readInbound();
		assertThat(passed.payload().topics()).containsExactly("a/b");
		assertThat(passed.variableHeader().messageId()).isEqualTo(9);
		this.channel.writeInbound(MqttMessageBuilders.unsubscribe().messageId(10).addTopicFilter("a/b/c/d").build());
		assertThat(((MqttUnsubscribeMessage) this.channel.readInbound()).payload().topics()).isEmpty();
		assertThat(this.limits.refusals(Limit.TOPIC_LEVELS)).isZero();
	}

}

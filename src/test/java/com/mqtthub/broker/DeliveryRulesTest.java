package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryRulesTest {

	private final SessionOwners owners = new SessionOwners(
			new MVStore.Builder().open().<String, String>openMap("owners"), Set.of());

	/** Who may read what: changed by the tests between deliveries, as a rule change would. */
	private final Map<String, Set<String>> readable = new java.util.HashMap<>();

	private final List<String> asked = new ArrayList<>();

	private final AtomicInteger denied = new AtomicInteger();

	private final MqttAuthorizer authorizer = new MqttAuthorizer() {

		@Override
		public boolean canPublish(String username, String clientId, String topic) {
			throw new AssertionError("not asked on delivery");
		}

		@Override
		public boolean canSubscribe(String username, String clientId, String topicFilter) {
			throw new AssertionError("not asked on delivery");
		}

		@Override
		public boolean canRead(String username, String clientId, String topic) {
			DeliveryRulesTest.this.asked.add(username + " " + topic);
			return DeliveryRulesTest.this.readable.getOrDefault(username, Set.of()).contains(topic);
		}

	};

	private final DeliveryRules rules = new DeliveryRules(() -> this.owners, this.authorizer,
			this.denied::incrementAndGet);

	@Test
	void mqtt_4_7_2_1_wildcardsAtTheFirstLevelNeverMatchDollarTopics() {
		this.owners.claim("watcher", "alice", new Object());
		this.readable.put("alice", Set.of("$SYS/broker/uptime", "$hub/x"));
		assertThat(this.rules.mayDeliver("watcher", "#", "$SYS/broker/uptime")).isFalse();
		assertThat(this.rules.mayDeliver("watcher", "+/broker/uptime", "$SYS/broker/uptime")).isFalse();
		assertThat(this.rules.mayDeliver("watcher", "+/+", "$hub/x")).isFalse();
		// Not a read denial: the filter simply does not match, so nothing is counted.
		assertThat(this.denied).hasValue(0);
		// A filter that names the '$' level matches, and the read check decides.
		assertThat(this.rules.mayDeliver("watcher", "$SYS/#", "$SYS/broker/uptime")).isTrue();
		assertThat(this.rules.mayDeliver("watcher", "$hub/+", "$hub/x")).isTrue();
	}

	@Test
	void everyDeliveryIsCheckedAgainstTheOwnersReadPermissionAsItIsNow() {
		this.owners.claim("dashboard", "alice", new Object());
		this.readable.put("alice", Set.of("plant/temperature"));
		assertThat(this.rules.mayDeliver("dashboard", "#", "plant/temperature")).isTrue();
		assertThat(this.rules.mayDeliver("dashboard", "#", "secret/key")).isFalse();
		assertThat(this.denied).hasValue(1);
		// The rule that allowed it is gone: the next message is withheld.
		this.readable.put("alice", Set.of());
		assertThat(this.rules.mayDeliver("dashboard", "#", "plant/temperature")).isFalse();
		assertThat(this.denied).hasValue(2);
		assertThat(this.asked).containsExactly("alice plant/temperature", "alice secret/key", "alice plant/temperature");
	}

	@Test
	void anonymousSessionsAreCheckedWithoutAUserName() {
		this.owners.claim("sensor", null, new Object());
		this.readable.put(null, Set.of("open/data"));
		assertThat(this.rules.mayDeliver("sensor", "open/#", "open/data")).isTrue();
		assertThat(this.rules.mayDeliver("sensor", "#", "closed/data")).isFalse();
		assertThat(this.asked).containsExactly("null open/data", "null closed/data");
	}

}

package com.mqtthub.broker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

import io.moquette.broker.MoquetteCore;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedQuotaTest {

	private final Map<String, String> ledger = new ConcurrentSkipListMap<>();

	private final BrokerLimits counters = new BrokerLimits(new BrokerProperties());

	private RetainedQuota quota(int messagesPerUser, int bytesPerUser, int messages, int bytes) {
		BrokerProperties.Retained settings = new BrokerProperties.Retained();
		settings.setMaxMessagesPerUser(messagesPerUser);
		settings.setMaxBytesPerUser(DataSize.ofBytes(bytesPerUser));
		settings.setMaxMessages(messages);
		return new RetainedQuota(this.ledger, settings, bytes, this.counters);
	}

	@Test
	void eachUserIsHeldToItsOwnCountAndBytes() {
		RetainedQuota quota = quota(2, 100, 1000, 10_000);
		assertThat(quota.store("a/1", "alice", 40)).isTrue();
		assertThat(quota.store("a/2", "alice", 40)).isTrue();
		assertThat(quota.check("alice", "a/3", 1)).isEqualTo(Limit.RETAINED_MESSAGES_PER_USER);
		assertThat(quota.check("alice", "a/2", 61)).isEqualTo(Limit.RETAINED_BYTES_PER_USER);
		assertThat(quota.check("alice", "a/2", 60)).as("grows its own message within its bytes").isNull();
		assertThat(quota.check("bob", "b/1", 100)).as("another user's quota").isNull();
		assertThat(quota.store("b/1", "bob", 100)).isTrue();
		assertThat(this.counters.refusals(Limit.RETAINED_MESSAGES_PER_USER)).isEqualTo(1);
		assertThat(this.counters.refusals(Limit.RETAINED_BYTES_PER_USER)).isEqualTo(1);
		assertThat(quota.messagesOf("alice")).isEqualTo(2);
		assertThat(quota.bytesOf("alice")).isEqualTo(80);
	}

	@Test
	void replacingByNoLargerAndDeletingAreNeverRefused() {
		RetainedQuota quota = quota(1, 50, 1, 50);
		assertThat(quota.store("t", "alice", 50)).isTrue();
		assertThat(quota.check("alice", "t", 50)).isNull();
		assertThat(quota.check("bob", "t", 10)).as("another user's topic, no larger").isNull();
		assertThat(quota.check("alice", "t", 0)).as("a delete").isNull();
		assertThat(quota.check("alice", "u", 0)).as("a delete of nothing").isNull();
		assertThat(quota.store("t", "bob", 10)).isTrue();
		assertThat(quota.messagesOf("alice")).isZero();
		assertThat(quota.bytesOf("bob")).isEqualTo(10);
		quota.removed("t");
		assertThat(quota.totalMessages()).isZero();
		assertThat(quota.totalBytes()).isZero();
		assertThat(this.ledger).isEmpty();
	}

	@Test
	void totalLimitsHoldForEveryoneTheBrokerIncluded() {
		RetainedQuota quota = quota(10, 1000, 2, 150);
		assertThat(quota.store("a", "alice", 100)).isTrue();
		assertThat(quota.store("b", RetainedQuota.BROKER, 40)).isTrue();
		assertThat(quota.check(RetainedQuota.BROKER, "c", 1)).isEqualTo(Limit.RETAINED_MESSAGES);
		assertThat(quota.store("c", "bob", 1)).as("refused at store time too").isFalse();
		assertThat(quota.check("bob", "b", 51)).isEqualTo(Limit.RETAINED_BYTES);
		assertThat(this.counters.refusals(Limit.RETAINED_MESSAGES)).isEqualTo(2);
		assertThat(this.ledger).containsOnlyKeys("a", "b");
	}

	@Test
	void theBrokerHasNoPerUserLimitAndAnonymousClientsShareOne() {
		RetainedQuota quota = quota(1, 10, 100, 1000);
		assertThat(quota.store("x", RetainedQuota.BROKER, 500)).isTrue();
		assertThat(quota.store("y", RetainedQuota.BROKER, 5)).isTrue();
		assertThat(quota.store("z", null, 5)).isTrue();
		assertThat(quota.check(null, "w", 1)).isEqualTo(Limit.RETAINED_MESSAGES_PER_USER);
		assertThat(quota.messagesOf(null)).isEqualTo(1);
	}

	@Test
	void theAccountIsReadBackAndRebuiltWhenItDiffersFromTheStore() {
		RetainedQuota first = quota(10, 1000, 100, 10_000);
		first.store("a", "alice", 10);
		first.store("b", "bob", 20);
		RetainedQuota again = quota(10, 1000, 100, 10_000);
		again.reconcile(2, () -> {
			throw new AssertionError("read the store although the counts agree");
		}, (topic) -> 0);
		assertThat(again.bytesOf("bob")).isEqualTo(20);
		// The store holds "a" and the unknown "c" and "d"; "b" is gone.
		again.reconcile(3, List.of("a", "c", "d"), (topic) -> 7);
		assertThat(this.ledger).containsOnlyKeys("a", "c", "d");
		assertThat(again.bytesOf("alice")).isEqualTo(10);
		assertThat(again.bytesOf("bob")).isZero();
		assertThat(again.bytesOf(RetainedQuota.BROKER)).isEqualTo(14);
		assertThat(again.totalBytes()).isEqualTo(24);
	}

	@Test
	void topicsArePagedInOrderFromTheAccount() {
		RetainedQuota quota = quota(10, 1000, 100, 10_000);
		for (String topic : List.of("s/3", "s/1", "t/1", "s/2", "$SYS/x")) {
			quota.store(topic, "alice", 1);
		}
		assertThat(quota.topics(MoquetteCore::retainedMatch, "s/#", null, 2)).containsExactly("s/1", "s/2");
		assertThat(quota.topics(MoquetteCore::retainedMatch, "s/#", "s/2", 2)).containsExactly("s/3");
		assertThat(quota.topics(MoquetteCore::retainedMatch, "#", null, 10)).hasSize(5);
	}

}

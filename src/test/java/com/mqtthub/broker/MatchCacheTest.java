package com.mqtthub.broker;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MatchCacheTest {

	private final AtomicInteger lookUps = new AtomicInteger();

	private final MatchCache<List<String>> cache = new MatchCache<>(3, List::size, 2);

	private List<String> subscribers(String topic) {
		this.lookUps.incrementAndGet();
		return List.of("client-of-" + topic);
	}

	@Test
	void aTopicIsLookedUpOnceUntilTheSubscriptionsChange() {
		assertThat(this.cache.get("a/b", this::subscribers)).containsExactly("client-of-a/b");
		assertThat(this.cache.get("a/b", this::subscribers)).containsExactly("client-of-a/b");
		assertThat(this.lookUps).hasValue(1);

		this.cache.invalidate();

		this.cache.get("a/b", this::subscribers);
		this.cache.get("a/b", this::subscribers);
		assertThat(this.lookUps).hasValue(2);
	}

	@Test
	void anAnswerWorkedOutDuringAChangeIsUsedOnceAndNotKept() {
		List<String> answer = this.cache.get("a/b", (topic) -> {
			this.lookUps.incrementAndGet();
			// A subscription arrives while the tree is being walked.
			this.cache.invalidate();
			return List.of("before the change");
		});
		assertThat(answer).containsExactly("before the change");

		assertThat(this.cache.get("a/b", this::subscribers)).containsExactly("client-of-a/b");
		assertThat(this.lookUps).hasValue(2);
	}

	@Test
	void longTopicNamesAndLargeAnswersAreNotKept() {
		String longName = "t/".repeat(MatchCache.MAX_KEY_LENGTH);
		this.cache.get(longName, this::subscribers);
		this.cache.get(longName, this::subscribers);
		assertThat(this.lookUps).hasValue(2);

		this.cache.get("fan/out", (topic) -> {
			this.lookUps.incrementAndGet();
			return List.of("1", "2", "3");
		});
		assertThat(this.cache.size()).isZero();
		this.cache.get("fan/out", this::subscribers);
		assertThat(this.lookUps).hasValue(4);
	}

	@Test
	void keepsAtMostItsCapacityOfTopicNames() {
		for (int i = 0; i < 1_000; i++) {
			this.cache.get("device/" + i, this::subscribers);
			assertThat(this.cache.size()).isLessThanOrEqualTo(3);
		}
		assertThat(this.lookUps).hasValue(1_000);
	}

	@Test
	void refusesSizesThatMakeNoSense() {
		assertThatIllegalArgumentException().isThrownBy(() -> new MatchCache<List<String>>(0, List::size, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> new MatchCache<List<String>>(1, List::size, -1));
	}

}

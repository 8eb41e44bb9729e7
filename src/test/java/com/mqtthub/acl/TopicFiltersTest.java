package com.mqtthub.acl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicFiltersTest {

	@Test
	void allowRulesMustCoverTheWholeRequest() {
		assertThat(TopicFilters.covers("a/#", "a")).isTrue();
		assertThat(TopicFilters.covers("a/#", "a/b/+")).isTrue();
		assertThat(TopicFilters.covers("a/+", "a/b")).isTrue();
		assertThat(TopicFilters.covers("a/+", "a/+")).isTrue();
		assertThat(TopicFilters.covers("a/+", "a/#")).isFalse();
		assertThat(TopicFilters.covers("a/b", "a/+")).isFalse();
		assertThat(TopicFilters.covers("a/b", "a/b/c")).isFalse();
		assertThat(TopicFilters.covers("#", "x/y")).isTrue();
	}

	@Test
	void denyRulesApplyOnAnyOverlap() {
		assertThat(TopicFilters.overlaps("secret/#", "#")).isTrue();
		assertThat(TopicFilters.overlaps("secret/#", "+/x")).isTrue();
		assertThat(TopicFilters.overlaps("a/#", "a")).isTrue();
		assertThat(TopicFilters.overlaps("a/b", "a/b/c")).isFalse();
		assertThat(TopicFilters.overlaps("+", "a/b")).isFalse();
		assertThat(TopicFilters.overlaps("a/x", "a/y")).isFalse();
	}

	@Test
	void validFilters() {
		assertThat(TopicFilters.isValidFilter("a/+/#")).isTrue();
		assertThat(TopicFilters.isValidFilter("a/#/b")).isFalse();
		assertThat(TopicFilters.isValidFilter("a/b+")).isFalse();
		assertThat(TopicFilters.isValidFilter("")).isFalse();
	}

}

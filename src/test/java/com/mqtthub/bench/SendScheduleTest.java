package com.mqtthub.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SendScheduleTest {

	private static final long START = 1_000_000_000L;

	@Test
	void publishersTogetherSendEvenlyNotInBursts() {
		// 50 publishers at 5,000 msg/s in all: one message every 200 µs, never two at once.
		List<Long> times = new ArrayList<>();
		for (int p = 0; p < 50; p++) {
			SendSchedule schedule = SendSchedule.of(START, 5_000, 50, p);
			for (long k = 0; k < 100; k++) {
				times.add(schedule.dueAt(k));
			}
		}
		Collections.sort(times);
		assertThat(times).hasSize(5_000).doesNotHaveDuplicates();
		for (int i = 1; i < times.size(); i++) {
			assertThat(times.get(i) - times.get(i - 1)).isBetween(199_000L, 201_000L);
		}
		assertThat(times.get(times.size() - 1) - times.get(0)).isBetween(999_700_000L, 999_900_000L);
	}

	@Test
	void dueByCountsTheMessagesWhoseTimeHasCome() {
		SendSchedule third = SendSchedule.of(START, 1_000, 10, 3);
		// Publisher 3 of 10 at 1,000 msg/s in all: 100 msg/s from 3 ms after the start.
		assertThat(third.dueBy(START)).isZero();
		assertThat(third.dueBy(START + TimeUnit.MILLISECONDS.toNanos(3) - 1)).isZero();
		assertThat(third.dueBy(START + TimeUnit.MILLISECONDS.toNanos(3))).isEqualTo(1);
		assertThat(third.dueBy(START + TimeUnit.MILLISECONDS.toNanos(13) - 1)).isEqualTo(1);
		assertThat(third.dueBy(START + TimeUnit.MILLISECONDS.toNanos(13))).isEqualTo(2);
		assertThat(third.dueBy(START + TimeUnit.SECONDS.toNanos(10))).isEqualTo(1_000);
	}

	@Test
	void aTimerSetForTheDueTimeFindsTheMessageDue() {
		// Rates that do not divide a second evenly must not leave a message a nanosecond short.
		for (long rate : new long[] { 3, 7, 4_999, 5_000, 33_333, 1_000_000 }) {
			SendSchedule schedule = SendSchedule.of(START, rate, 7, 5);
			for (long k = 0; k < 10_000; k++) {
				assertThat(schedule.dueBy(schedule.dueAt(k))).as("rate %d, message %d", rate, k).isEqualTo(k + 1);
			}
		}
	}

	@Test
	void refusesWhatIsNotAFixedRate() {
		assertThatIllegalArgumentException().isThrownBy(() -> SendSchedule.of(START, 0, 1, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> SendSchedule.of(START, 100, 2, 2));
	}

}

package com.mqtthub.security;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitedLogTest {

	private static final Duration PERIOD = Duration.ofMinutes(1);

	private final Logger logger = (Logger) LoggerFactory.getLogger(RateLimitedLogTest.class.getName() + ".log");

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private long now = 1_000;

	private final List<Runnable> scheduled = new ArrayList<>();

	private final List<Long> delays = new ArrayList<>();

	private final RateLimitedLog log;

	RateLimitedLogTest() {
		this.appender.start();
		this.logger.addAppender(this.appender);
		this.log = new RateLimitedLog(this.logger, "refused things", 3, PERIOD, () -> this.now, (task, delay) -> {
			this.scheduled.add(task);
			this.delays.add(delay);
		});
	}

	@AfterEach
	void detach() {
		this.logger.detachAppender(this.appender);
	}

	private List<String> lines() {
		return this.appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

	@Test
	void atMostTheAllowanceThenOneSummaryWhenThePeriodEnds() {
		for (int i = 1; i <= 10; i++) {
			this.log.warn("refused {}", i);
		}
		assertThat(lines()).containsExactly("refused 1", "refused 2", "refused 3");
		assertThat(this.scheduled).as("one summary, however many are left out").hasSize(1);
		assertThat(this.delays).containsExactly(PERIOD.toNanos());
		this.now += PERIOD.toNanos();
		this.scheduled.get(0).run();
		assertThat(lines()).containsExactly("refused 1", "refused 2", "refused 3",
				"... and 7 more refused things in the last 1m");
		// A new period, a new allowance.
		this.log.warn("refused {}", 11);
		assertThat(lines()).endsWith("refused 11");
	}

	@Test
	void aQuietKindWritesEveryLineAndNoSummary() {
		this.log.warn("refused {}", 1);
		this.now += PERIOD.toNanos();
		this.log.warn("refused {}", 2);
		this.now += PERIOD.toNanos();
		this.log.warn("refused {}", 3);
		this.log.warn("refused {}", 4);
		assertThat(lines()).containsExactly("refused 1", "refused 2", "refused 3", "refused 4");
		assertThat(this.scheduled).isEmpty();
	}

	@Test
	void aSummaryDueWhileANewPeriodHasBegunIsWrittenOnceAndInOrder() {
		for (int i = 1; i <= 5; i++) {
			this.log.warn("refused {}", i);
		}
		// The next line comes after the period, before the scheduled summary ran.
		this.now += PERIOD.toNanos() + 1;
		this.log.warn("refused {}", 6);
		this.scheduled.get(0).run();
		assertThat(lines()).containsExactly("refused 1", "refused 2", "refused 3",
				"... and 2 more refused things in the last 1m", "refused 6");
	}

}

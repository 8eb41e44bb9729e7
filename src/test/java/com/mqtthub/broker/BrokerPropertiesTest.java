package com.mqtthub.broker;

import java.time.Duration;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerPropertiesTest {

	private static final ValidatorFactory factory = Validation.buildDefaultValidatorFactory();

	private static final Validator validator = factory.getValidator();

	@AfterAll
	static void close() {
		factory.close();
	}

	private static java.util.List<String> problems(BrokerProperties properties) {
		return validator.validate(properties).stream().map((violation) -> violation.getMessage()).toList();
	}

	@Test
	void defaultsAreValid() {
		BrokerProperties defaults = new BrokerProperties();
		assertThat(problems(defaults)).isEmpty();
		assertThat(defaults.getMaxQueuedBytes()).isEqualTo(DataSize.ofMegabytes(64));
		assertThat(defaults.effectiveMaxClientBacklog()).isEqualTo(DataSize.ofMegabytes(16));
	}

	@Test
	void theCommitLingerIsAtMostTenMillisecondsAndNotNegative() {
		BrokerProperties properties = new BrokerProperties();
		assertThat(properties.getCommitLinger()).isEqualTo(Duration.ofNanos(500_000));
		properties.setCommitLinger(Duration.ZERO);
		assertThat(problems(properties)).isEmpty();
		properties.setCommitLinger(Duration.ofMillis(10));
		assertThat(problems(properties)).isEmpty();
		properties.setCommitLinger(Duration.ofMillis(11));
		assertThat(problems(properties)).hasSize(1);
		properties.setCommitLinger(Duration.ofNanos(-1));
		assertThat(problems(properties)).hasSize(1);
	}

	@Test
	void aQueueMustHoldAtLeastOneMessageOfTheLargestSize() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxQueuedBytes(DataSize.ofKilobytes(512));
		assertThat(problems(properties)).containsExactly("max-queued-bytes must be at least max-message-size");
	}

	@Test
	void theBacklogLimitMustBeAboveWhatTheHubWritesBeforeItHoldsBack() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxClientBacklog(DataSize.ofMegabytes(14));
		assertThat(problems(properties))
			.containsExactly("max-client-backlog must be more than 4 x slow-client-buffer + 10 x max-message-size");
		properties.setSlowClientBuffer(DataSize.ofKilobytes(256));
		assertThat(problems(properties)).isEmpty();
	}

	@Test
	void theDefaultBacklogLimitFollowsTheLargestMessage() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxMessageSize(DataSize.ofMegabytes(4));
		properties.setMaxQueuedBytes(DataSize.ofMegabytes(64));
		assertThat(problems(properties)).isEmpty();
		assertThat(properties.effectiveMaxClientBacklog()).isEqualTo(DataSize.ofMegabytes(4 + 40 + 2));
	}

	@Test
	void backPressureLetsGoBelowWhereItHoldsBackAndNeverForLong() {
		BrokerProperties properties = new BrokerProperties();
		assertThat(properties.getBackPressure().isEnabled()).isTrue();
		// Low marks by default: the queue a publisher waits behind is the latency at full speed.
		assertThat(properties.getBackPressure().getHighWaterPercent()).isEqualTo(5);
		assertThat(properties.getBackPressure().getLowWaterPercent()).isEqualTo(2);
		properties.getBackPressure().setLowWaterPercent(5);
		assertThat(problems(properties)).containsExactly("low-water-percent must be below high-water-percent");
		properties.getBackPressure().setLowWaterPercent(2);
		properties.getBackPressure().setHighWaterPercent(100);
		properties.getBackPressure().setMaxPause(java.time.Duration.ZERO);
		assertThat(problems(properties)).hasSize(2);
	}

}

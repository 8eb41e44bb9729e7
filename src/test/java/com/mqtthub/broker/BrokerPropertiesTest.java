package com.mqtthub.broker;

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
	}

	@Test
	void aQueueMustHoldAtLeastOneMessageOfTheLargestSize() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxQueuedBytes(DataSize.ofKilobytes(512));
		assertThat(problems(properties)).containsExactly("max-queued-bytes must be at least max-message-size");
	}

}

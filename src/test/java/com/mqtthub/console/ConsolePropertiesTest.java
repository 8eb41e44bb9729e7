package com.mqtthub.console;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

class ConsolePropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void keepsFiveHundredMessagesByDefault() {
		this.runner.run(context -> assertThat(context.getBean(ConsoleProperties.class).getMaxMessages()).isEqualTo(500));
	}

	@Test
	void bindsMaxMessages() {
		this.runner.withPropertyValues("mqtthub.console.max-messages=25")
			.run(context -> assertThat(context.getBean(ConsoleProperties.class).getMaxMessages()).isEqualTo(25));
	}

	@Test
	void rejectsLessThanOneMessage() {
		this.runner.withPropertyValues("mqtthub.console.max-messages=0")
			.run(context -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("mqtthub.console.maxMessages"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(ConsoleProperties.class)
	static class Config {

	}

}

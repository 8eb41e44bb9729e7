package com.mqtthub.broker;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class RetainedLimitSettingsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void defaultsAreTenThousandAnd64MbPerUserAndAHundredThousandAnd256MbInTotal() {
		this.runner.run((context) -> {
			BrokerProperties properties = context.getBean(BrokerProperties.class);
			BrokerProperties.Retained retained = properties.getRetained();
			assertThat(retained.getMaxMessagesPerUser()).isEqualTo(10_000);
			assertThat(retained.getMaxBytesPerUser()).isEqualTo(DataSize.ofMegabytes(64));
			assertThat(retained.getMaxMessages()).isEqualTo(100_000);
			assertThat(retained.getMaxBytes()).as("unset: follows persistence and the heap").isNull();
			assertThat(properties.effectiveRetainedMaxBytes(DataSize.ofMegabytes(128).toBytes()))
				.isEqualTo(DataSize.ofMegabytes(256));
		});
	}

	@Test
	void withPersistenceOffTheTotalDefaultsToAQuarterOfTheHeap() {
		this.runner.withPropertyValues("mqtthub.broker.persistence=false").run((context) -> {
			BrokerProperties properties = context.getBean(BrokerProperties.class);
			assertThat(properties.effectiveRetainedMaxBytes(DataSize.ofMegabytes(128).toBytes()))
				.isEqualTo(DataSize.ofMegabytes(32));
		});
	}

	@Test
	void bindsEachLimit() {
		this.runner
			.withPropertyValues("mqtthub.broker.retained.max-messages-per-user=5",
					"mqtthub.broker.retained.max-bytes-per-user=2MB", "mqtthub.broker.retained.max-messages=50",
					"mqtthub.broker.retained.max-bytes=20MB")
			.run((context) -> {
				BrokerProperties.Retained retained = context.getBean(BrokerProperties.class).getRetained();
				assertThat(retained.getMaxMessagesPerUser()).isEqualTo(5);
				assertThat(retained.getMaxBytesPerUser()).isEqualTo(DataSize.ofMegabytes(2));
				assertThat(retained.getMaxMessages()).isEqualTo(50);
				assertThat(retained.getMaxBytes()).isEqualTo(DataSize.ofMegabytes(20));
				assertThat(context.getBean(BrokerProperties.class).effectiveRetainedMaxBytes(1L << 30))
					.isEqualTo(DataSize.ofMegabytes(20));
			});
	}

	@Test
	void refusesNoRoomAtAll() {
		this.runner.withPropertyValues("mqtthub.broker.retained.max-messages=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("retained.maxMessages"));
		this.runner.withPropertyValues("mqtthub.broker.retained.max-bytes-per-user=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("max-bytes-per-user and max-bytes must be positive"));
		this.runner.withPropertyValues("mqtthub.broker.retained.max-bytes=0B")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("max-bytes-per-user and max-bytes must be positive"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(BrokerProperties.class)
	static class Config {

	}

}

package com.mqtthub.monitoring;

import com.mqtthub.broker.EmbeddedBroker;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the broker's monitoring.
 */
@Configuration(proxyBeanMethods = false)
class MonitoringConfiguration {

	@Bean
	BrokerMonitor brokerMonitor(EmbeddedBroker broker, MonitoringProperties properties, MeterRegistry registry) {
		return new BrokerMonitor(broker, properties, registry);
	}

	@Bean
	DashboardStream dashboardStream(BrokerMonitor monitor) {
		return new DashboardStream(monitor);
	}

	@Bean
	BrokerHealthIndicator brokerHealthIndicator(EmbeddedBroker broker) {
		return new BrokerHealthIndicator(broker);
	}

	@Bean
	SysTopicPublisher sysTopicPublisher(EmbeddedBroker broker, BrokerMonitor monitor,
			MonitoringProperties properties) {
		return new SysTopicPublisher(broker, monitor, properties.getSys());
	}

}

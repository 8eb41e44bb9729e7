package com.mqtthub.bridge;

import com.mqtthub.broker.EmbeddedBroker;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the bridges from {@code mqtthub.bridges}. */
@Configuration(proxyBeanMethods = false)
class BridgeConfiguration {

	@Bean
	BridgeService bridgeService(BridgesProperties properties, EmbeddedBroker broker, MeterRegistry registry) {
		BridgeService service = new BridgeService(properties, broker, System::getenv);
		BridgeMetrics.register(registry, service);
		return service;
	}

}

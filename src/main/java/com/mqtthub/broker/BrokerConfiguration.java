package com.mqtthub.broker;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the embedded broker from its {@link BrokerProperties}.
 */
@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

	@Bean
	EmbeddedBroker embeddedBroker(BrokerProperties properties, MqttAuthenticator authenticator,
			MqttAuthorizer authorizer) {
		return new EmbeddedBroker(properties, authenticator, authorizer);
	}

}

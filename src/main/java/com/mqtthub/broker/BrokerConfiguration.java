package com.mqtthub.broker;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the embedded broker from its {@link BrokerProperties}.
 */
@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

	@Bean
	EmbeddedBroker embeddedBroker(BrokerProperties properties, MqttAuthenticator authenticator,
			MqttAuthorizer authorizer, ObjectProvider<BrokerObserver> observers, ObjectProvider<PublishTap> taps) {
		return new EmbeddedBroker(properties, authenticator, authorizer, observers, taps);
	}

}

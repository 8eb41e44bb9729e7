package com.mqtthub.monitoring;

import com.mqtthub.broker.EmbeddedBroker;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The broker is up when it runs and all its listeners are open; the details name the ports.
 */
class BrokerHealthIndicator implements HealthIndicator {

	private final EmbeddedBroker broker;

	BrokerHealthIndicator(EmbeddedBroker broker) {
		this.broker = broker;
	}

	@Override
	public Health health() {
		Health.Builder health = this.broker.listenersUp() ? Health.up() : Health.down();
		health.withDetail("tcpPort", this.broker.getTcpPort());
		if (this.broker.getWebSocketPort() >= 0) {
			health.withDetail("webSocketPort", this.broker.getWebSocketPort());
		}
		if (this.broker.getSslPort() >= 0) {
			health.withDetail("sslPort", this.broker.getSslPort());
			health.withDetail("secureWebSocketPort", this.broker.getSecureWebSocketPort());
		}
		return health.build();
	}

}

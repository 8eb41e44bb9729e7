package com.mqtthub.monitoring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.EngineLoops;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The broker is up when it runs, all its listeners are open and every session loop of its engine
 * answers its probe within {@code mqtthub.broker.loop-probe-timeout}; the details name the ports,
 * and the loops that do not answer with how long they have not.
 */
class BrokerHealthIndicator implements HealthIndicator {

	private final EmbeddedBroker broker;

	BrokerHealthIndicator(EmbeddedBroker broker) {
		this.broker = broker;
	}

	@Override
	public Health health() {
		EngineLoops loops = this.broker.getEngineLoops();
		List<EngineLoops.StuckLoop> stuck = loops.stuck();
		boolean listenersUp = this.broker.listenersUp();
		Health.Builder health = (listenersUp && stuck.isEmpty()) ? Health.up() : Health.down();
		health.withDetail("tcpPort", this.broker.getTcpPort());
		if (this.broker.getWebSocketPort() >= 0) {
			health.withDetail("webSocketPort", this.broker.getWebSocketPort());
		}
		if (this.broker.getSslPort() >= 0) {
			health.withDetail("sslPort", this.broker.getSslPort());
			health.withDetail("secureWebSocketPort", this.broker.getSecureWebSocketPort());
		}
		health.withDetail("sessionLoops", loops.loopCount());
		health.withDetail("engineTaskFailures", loops.taskFailures());
		if (!stuck.isEmpty()) {
			Map<String, String> waiting = new LinkedHashMap<>();
			for (EngineLoops.StuckLoop loop : stuck) {
				waiting.put(loop.name(), "no answer for " + loop.waiting().toMillis() + " ms");
			}
			health.withDetail("stuckSessionLoops", waiting);
			EngineLoops.StuckLoop first = stuck.get(0);
			health.withDetail("reason", first.name() + " has not answered a probe for " + first.waiting().toMillis()
					+ " ms (timeout " + loops.timeout().toMillis() + " ms)"
					+ ((stuck.size() > 1) ? ", and " + (stuck.size() - 1) + " more loops" : ""));
		}
		else if (!listenersUp) {
			health.withDetail("reason", "the broker is not running or a listener is closed");
		}
		return health.build();
	}

}

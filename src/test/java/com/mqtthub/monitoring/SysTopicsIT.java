package com.mqtthub.monitoring;

import java.time.Duration;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code mqtthub.monitoring.sys.enabled}, the figures are published under {@code $SYS/broker}.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.monitoring.sys.enabled=true", "mqtthub.monitoring.sys.interval=1s" })
class SysTopicsIT {

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void publishesTheNumberOfConnectedClients() throws Exception {
		try (MqttTestClient client = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"sys-watcher")) {
			client.subscribe("$SYS/broker/clients/connected", 0);
			long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
			String last = null;
			while (!"1".equals(last) && System.nanoTime() < deadline) {
				last = client.awaitMessage(Duration.ofSeconds(5)).payload();
			}
			assertThat(last).isEqualTo("1");
		}
	}

}

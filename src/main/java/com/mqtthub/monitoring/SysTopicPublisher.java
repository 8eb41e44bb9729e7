package com.mqtthub.monitoring;

import java.nio.charset.StandardCharsets;

import com.mqtthub.broker.EmbeddedBroker;

/**
 * Publishes the broker's figures as retained messages under {@code $SYS/broker/...}, as
 * Mosquitto does, when {@code mqtthub.monitoring.sys.enabled} is set.
 */
class SysTopicPublisher {

	private final EmbeddedBroker broker;

	private final long everySeconds;

	private long seconds;

	SysTopicPublisher(EmbeddedBroker broker, BrokerMonitor monitor, MonitoringProperties.Sys sys) {
		this.broker = broker;
		this.everySeconds = Math.max(1, sys.getInterval().toSeconds());
		if (sys.isEnabled()) {
			monitor.onSnapshot(this::maybePublish);
		}
	}

	private void maybePublish(Snapshot snapshot) {
		if (++this.seconds % this.everySeconds != 0 || !this.broker.isRunning()) {
			return;
		}
		publish("clients/connected", snapshot.clients());
		publish("clients/total", snapshot.connectionsTotal());
		publish("clients/refused", snapshot.connectionsRefused());
		publish("subscriptions/count", snapshot.subscriptions());
		publish("retained messages/count", snapshot.retained());
		publish("messages/received", snapshot.messagesInTotal());
		publish("messages/sent", snapshot.messagesOutTotal());
		publish("messages/denied", snapshot.deniedTotal());
		publish("bytes/received", snapshot.bytesInTotal());
		publish("bytes/sent", snapshot.bytesOutTotal());
		publish("load/messages/received/1s", snapshot.messagesInRate());
		publish("load/messages/sent/1s", snapshot.messagesOutRate());
	}

	private void publish(String topic, long value) {
		this.broker.publish("$SYS/broker/" + topic, Long.toString(value).getBytes(StandardCharsets.US_ASCII), 0,
				true);
	}

}

package com.mqtthub.relay;

import com.mqtthub.broker.EmbeddedBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * Serves MQTT over WebSocket on the web server's own port, so that a page reaches the broker
 * through the same host, port and TLS as the page itself.
 * <p>
 * {@code mqtthub.relay.enabled} is read when the handlers are registered, not as a condition on
 * this configuration: with the bean definitions prepared at build time (packaging/cds.sh starts
 * with {@code spring.aot.enabled}), conditions are fixed there and the setting would be ignored.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class RelayConfiguration implements WebSocketConfigurer {

	private static final Logger logger = LoggerFactory.getLogger(RelayConfiguration.class);

	/** Paho and most MQTT clients ask for "mqtt"; some older ones for "mqttv3.1". */
	private static final String[] SUBPROTOCOLS = { "mqtt", "mqttv3.1" };

	private final RelayProperties properties;

	private final MqttWebSocketRelay relay;

	RelayConfiguration(RelayProperties properties, MqttWebSocketRelay relay) {
		this.properties = properties;
		this.relay = relay;
	}

	@Override
	public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
		if (!this.properties.isEnabled()) {
			return;
		}
		DefaultHandshakeHandler handshake = new DefaultHandshakeHandler();
		handshake.setSupportedProtocols(SUBPROTOCOLS);
		// Spring's own check (same scheme, host and port) would refuse devices such as paho-mqtt,
		// which send an https Origin even for ws://; SameSiteOrigin compares host and port only,
		// which still stops cross-site WebSocket hijacking.
		registry.addHandler(this.relay, this.properties.getPath())
			.setHandshakeHandler(handshake)
			.setAllowedOriginPatterns("*")
			.addInterceptors(new SameSiteOrigin());
	}

	@EventListener
	void announce(WebServerInitializedEvent event) {
		if (this.properties.isEnabled() && event.getApplicationContext().getParent() == null) {
			logger.info("MQTT over WebSocket (same origin) on the web port {} at {}", event.getWebServer().getPort(),
					this.properties.getPath());
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class Beans {

		@Bean
		BrokerConnector brokerConnector(EmbeddedBroker broker) {
			return new BrokerConnector(broker);
		}

		@Bean
		MqttWebSocketRelay mqttWebSocketRelay(BrokerConnector connector) {
			return new MqttWebSocketRelay(connector);
		}

	}

}

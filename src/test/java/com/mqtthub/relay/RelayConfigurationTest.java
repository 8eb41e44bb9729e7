package com.mqtthub.relay;

import org.junit.jupiter.api.Test;

import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistration;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

/**
 * {@code mqtthub.relay.enabled} switches the endpoint at run time, also when the bean definitions
 * were prepared at build time (where a condition on the configuration would be fixed).
 */
class RelayConfigurationTest {

	private final MqttWebSocketRelay relay = new MqttWebSocketRelay(mock(BrokerConnector.class));

	@Test
	void registersTheEndpointWhenEnabled() {
		RelayProperties properties = new RelayProperties();
		WebSocketHandlerRegistry registry = mock(WebSocketHandlerRegistry.class);
		WebSocketHandlerRegistration registration = mock(WebSocketHandlerRegistration.class, RETURNS_SELF);
		when(registry.addHandler(any(WebSocketHandler.class), anyString())).thenReturn(registration);

		new RelayConfiguration(properties, this.relay).registerWebSocketHandlers(registry);

		verify(registry).addHandler(this.relay, "/mqtt");
	}

	@Test
	void registersNothingWhenDisabled() {
		RelayProperties properties = new RelayProperties();
		properties.setEnabled(false);
		WebSocketHandlerRegistry registry = mock(WebSocketHandlerRegistry.class);

		new RelayConfiguration(properties, this.relay).registerWebSocketHandlers(registry);

		verifyNoInteractions(registry);
	}

}

package com.mqtthub.broker;

/**
 * A bound on what one client may make the broker hold or do. Every refusal or drop because of
 * one is counted per limit ({@link BrokerLimits#refused(Limit)}) and exported as
 * {@code mqtthub_limit_refusals_total{limit="..."}}.
 */
public enum Limit {

	/** {@code mqtthub.broker.max-connections}: a socket accepted beyond it. */
	CONNECTIONS("connections"),

	/** {@code mqtthub.broker.connect-timeout}: a socket closed for not sending a whole CONNECT in time. */
	CONNECT_TIMEOUT("connect-timeout"),

	/**
	 * {@code mqtthub.broker.websocket.allowed-origins}: a WebSocket handshake with the broker's own
	 * listener refused (HTTP 403) because its {@code Origin} is another site.
	 */
	WEBSOCKET_ORIGIN("websocket-origin");

	private final String tag;

	Limit(String tag) {
		this.tag = tag;
	}

	/** The value of the metric's {@code limit} tag. */
	public String tag() {
		return this.tag;
	}

}

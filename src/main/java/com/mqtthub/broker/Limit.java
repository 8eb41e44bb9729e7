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
	WEBSOCKET_ORIGIN("websocket-origin"),

	/** {@code mqtthub.broker.max-topic-levels}: a PUBLISH, will or filter with more levels. */
	TOPIC_LEVELS("topic-levels"),

	/** {@code mqtthub.broker.max-topic-length}: a PUBLISH, will or filter with more bytes. */
	TOPIC_LENGTH("topic-length"),

	/** {@code mqtthub.broker.max-filters-per-subscribe}: each filter beyond it in one SUBSCRIBE. */
	FILTERS_PER_SUBSCRIBE("filters-per-subscribe"),

	/** {@code mqtthub.broker.max-subscriptions-per-client}: each new subscription beyond it. */
	SUBSCRIPTIONS_PER_CLIENT("subscriptions-per-client"),

	/** {@code mqtthub.broker.retained.max-messages-per-user}: a retained message not kept. */
	RETAINED_MESSAGES_PER_USER("retained-messages-per-user"),

	/** {@code mqtthub.broker.retained.max-bytes-per-user}: a retained message not kept. */
	RETAINED_BYTES_PER_USER("retained-bytes-per-user"),

	/** {@code mqtthub.broker.retained.max-messages}: a retained message not kept. */
	RETAINED_MESSAGES("retained-messages"),

	/** {@code mqtthub.broker.retained.max-bytes}: a retained message not kept. */
	RETAINED_BYTES("retained-bytes"),

	/** {@code mqtthub.broker.max-queued-bytes}: a message dropped because its session's queue is full of bytes. */
	QUEUED_BYTES("queued-bytes"),

	/**
	 * {@code mqtthub.broker.max-queued-bytes-in-memory}: a message dropped because the session
	 * queues kept in memory hold that many bytes together.
	 */
	QUEUED_BYTES_IN_MEMORY("queued-bytes-in-memory"),

	/** {@code mqtthub.broker.max-client-backlog}: a connection closed because its client does not read. */
	CLIENT_BACKLOG("client-backlog"),

	/**
	 * {@code mqtthub.broker.max-unreleased-qos2}: a connection closed for holding more QoS 2
	 * messages without PUBREL (or more of their bytes than {@code max-client-backlog}).
	 */
	UNRELEASED_QOS2("unreleased-qos2");

	private final String tag;

	Limit(String tag) {
		this.tag = tag;
	}

	/** The value of the metric's {@code limit} tag. */
	public String tag() {
		return this.tag;
	}

}

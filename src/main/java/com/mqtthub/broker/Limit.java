package com.mqtthub.broker;

/**
 * A bound on what one client may make the broker hold or do. Every refusal or drop because of
 * one is counted per limit ({@link BrokerLimits#refused(Limit)}) and exported as
 * {@code mqtthub_limit_refusals_total{limit="..."}}.
 */
public enum Limit {

	/** {@code mqtthub.broker.max-connections}: a CONNECT (or socket) beyond it. */
	CONNECTIONS("connections"),

	/** {@code mqtthub.broker.max-queued-bytes}: a message dropped because its session's queue is full of bytes. */
	QUEUED_BYTES("queued-bytes"),

	/** {@code mqtthub.broker.max-client-backlog}: a connection closed because its client does not read. */
	CLIENT_BACKLOG("client-backlog");

	private final String tag;

	Limit(String tag) {
		this.tag = tag;
	}

	/** The value of the metric's {@code limit} tag. */
	public String tag() {
		return this.tag;
	}

}

package com.mqtthub.broker;

/**
 * A bound on what one client may make the broker hold or do. Every refusal or drop because of
 * one is counted per limit ({@link BrokerLimits#refused(Limit)}) and exported as
 * {@code mqtthub_limit_refusals_total{limit="..."}}.
 */
public enum Limit {

	/** {@code mqtthub.broker.max-connections}: a CONNECT (or socket) beyond it. */
	CONNECTIONS("connections"),

	/** {@code mqtthub.broker.retained.max-messages-per-user}: a retained message not kept. */
	RETAINED_MESSAGES_PER_USER("retained_messages_per_user"),

	/** {@code mqtthub.broker.retained.max-bytes-per-user}: a retained message not kept. */
	RETAINED_BYTES_PER_USER("retained_bytes_per_user"),

	/** {@code mqtthub.broker.retained.max-messages}: a retained message not kept. */
	RETAINED_MESSAGES("retained_messages"),

	/** {@code mqtthub.broker.retained.max-bytes}: a retained message not kept. */
	RETAINED_BYTES("retained_bytes");

	private final String tag;

	Limit(String tag) {
		this.tag = tag;
	}

	/** The value of the metric's {@code limit} tag. */
	public String tag() {
		return this.tag;
	}

}

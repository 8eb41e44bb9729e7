package com.mqtthub.bridge;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

/**
 * A bridge's state as the hub publishes it, retained, on {@code $SYS/broker/bridges/<name>/state}
 * at each change: under {@code $SYS/} no client can publish a false one, and {@code #} does not
 * match it, so only who asks for it sees it.
 * @param state the API's state, or {@code DISABLED} for a bridge that is not enabled
 * @param since when the bridge entered this state
 * @param lastError why it is backing off (or cannot start), or null
 * @param address the remote address while connected, else null
 */
record BridgeStatus(String bridge, String state, Instant since, String lastError, String address,
		List<String> addresses) {

	static final String TOPIC_PREFIX = "$SYS/broker/bridges/";

	/** An error text is the hub's own sentence, but may quote a library's message: kept short. */
	static final int MAX_ERROR_LENGTH = 500;

	private static final JsonMapper json = JsonMapper.builder().build();

	/** Bridge names are letters, digits, '-' and '_' only, so the name is one topic level. */
	static String topic(String bridge) {
		return TOPIC_PREFIX + bridge + "/state";
	}

	String topic() {
		return topic(this.bridge);
	}

	byte[] payload() {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("bridge", this.bridge);
		fields.put("state", this.state);
		fields.put("since", this.since.toString());
		fields.put("lastError", (this.lastError != null && this.lastError.length() > MAX_ERROR_LENGTH)
				? this.lastError.substring(0, MAX_ERROR_LENGTH) + "…" : this.lastError);
		fields.put("address", this.address);
		fields.put("addresses", this.addresses);
		return json.writeValueAsBytes(fields);
	}

}

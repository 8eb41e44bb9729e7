package com.mqtthub.bridge;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeStatusTest {

	private static final ObjectMapper json = new ObjectMapper();

	@Test
	void anErrorWithQuotesAndLineBreaksStaysOneJsonString() throws Exception {
		String error = "cannot reach the remote (\"x\"\n\\ \u0000 }";
		BridgeStatus status = new BridgeStatus("cloud", "BACKING_OFF", Instant.parse("2026-01-02T03:04:05Z"), error,
				null, List.of("tcp://127.0.0.1:1883"));
		JsonNode read = json.readTree(status.payload());
		assertThat(read.get("lastError").asString()).isEqualTo(error);
		assertThat(read.get("state").asString()).isEqualTo("BACKING_OFF");
		assertThat(read.get("since").asString()).isEqualTo("2026-01-02T03:04:05Z");
		assertThat(read.get("address").isNull()).isTrue();
		assertThat(status.topic()).isEqualTo("$SYS/broker/bridges/cloud/state");
	}

	@Test
	void aLongErrorIsCut() throws Exception {
		BridgeStatus status = new BridgeStatus("cloud", "BACKING_OFF", Instant.now(), "x".repeat(100_000), null,
				List.of());
		assertThat(json.readTree(status.payload()).get("lastError").asString())
			.hasSize(BridgeStatus.MAX_ERROR_LENGTH + 1);
	}

}

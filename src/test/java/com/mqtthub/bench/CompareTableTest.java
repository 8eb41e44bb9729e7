package com.mqtthub.bench;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

class CompareTableTest {

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void rowsHoldTheMedianOfEachBrokerAndTheirRatio() {
		List<JsonNode> runs = List.of(
				run("{\"label\":\"mosquitto\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":0,\"delivered_per_s\":100}"),
				run("{\"label\":\"mosquitto\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":0,\"delivered_per_s\":300}"),
				run("{\"label\":\"mosquitto\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":0,\"delivered_per_s\":200}"),
				run("{\"label\":\"hub\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":0,\"delivered_per_s\":50,\"tool_saturated\":true}"),
				run("{\"label\":\"hub\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":0,\"delivered_per_s\":150}"),
				// a fixed-rate run is another row, not part of the max-rate median
				run("{\"label\":\"hub\",\"scenario\":\"pairs\",\"qos\":1,\"rate\":5000,\"delivered_per_s\":5000}"));

		String table = CompareTable.table(runs, "mosquitto", "hub");

		assertThat(table).contains("| 50 pairs, QoS 1, max rate: delivered | 200 msg/s | 100 msg/s | 0.50 |");
		assertThat(table).contains("saturated its core in some runs of: 50 pairs, QoS 1, max rate (hub)");
		assertThat(table).doesNotContain("fan-in");
	}

	@Test
	void aFigureOnlyOneBrokerHasLeavesTheOtherCellsEmpty() {
		String table = CompareTable.table(
				List.of(run("{\"label\":\"hub\",\"scenario\":\"at-rest\",\"rss_mb\":300,\"startup_s\":7.5}")),
				"mosquitto", "hub");

		assertThat(table).contains("| start-up of the packaged jar (to 'Started') | – | 7.50 s |  |");
	}

	private JsonNode run(String line) {
		return this.json.readTree(line);
	}

}

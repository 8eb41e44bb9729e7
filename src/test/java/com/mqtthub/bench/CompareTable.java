package com.mqtthub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns the JSON lines of an interleaved comparison run ({@code bench/compare.sh}) into a Markdown
 * table: per row, the median over the rounds for each broker and the ratio of the hub to Mosquitto.
 * Usage: {@code CompareTable runs.jsonl [base-label] [other-label]}.
 */
public final class CompareTable {

	private static final String BASE = "mosquitto";

	private static final String OTHER = "hub";

	private CompareTable() {
	}

	/** One row: which runs, which figure, how to print it, and whether the largest value stands for all. */
	private record Row(String title, Predicate<JsonNode> runs, String key, String unit, int decimals, boolean largest) {

		Row(String title, Predicate<JsonNode> runs, String key, String unit, int decimals) {
			this(title, runs, key, unit, decimals, false);
		}

	}

	private static final List<Row> ROWS = List.of(
			new Row("50 pairs, QoS 1, max rate: delivered", message("pairs", 1, 0), "delivered_per_s", "msg/s", 0),
			new Row("same: latency p50", message("pairs", 1, 0), "latency_p50_ms", "ms", 2),
			new Row("same: latency p99", message("pairs", 1, 0), "latency_p99_ms", "ms", 2),
			new Row("same: broker RSS (max)", message("pairs", 1, 0), "broker_rss_max_mb", "MB", 0),
			new Row("fan-out 1 → 100, QoS 0, max rate: delivered", message("fan-out", 0, 0), "delivered_per_s", "msg/s", 0),
			new Row("same: not delivered (QoS 0 may be shed)", message("fan-out", 0, 0), "lost", "msgs", 0),
			new Row("fan-in 10 → 1, QoS 0, max rate: delivered", message("fan-in", 0, 0), "delivered_per_s", "msg/s", 0),
			new Row("fan-in 10 → 1, QoS 1, max rate: delivered", message("fan-in", 1, 0), "delivered_per_s", "msg/s", 0),
			new Row("same: acknowledged QoS 1 messages lost", message("fan-in", 1, 0), "lost", "msgs", 0),
			new Row("same: latency p99", message("fan-in", 1, 0), "latency_p99_ms", "ms", 1),
			new Row("fixed 5,000 msg/s, QoS 1, 50 pairs: latency p50", fixedRate(), "latency_p50_ms", "ms", 3),
			new Row("same: latency p99", fixedRate(), "latency_p99_ms", "ms", 2),
			new Row("same: broker CPU", fixedRate(), "broker_cpu_pct", "%", 0),
			new Row("same: broker RSS (max)", fixedRate(), "broker_rss_max_mb", "MB", 0),
			new Row("idle connections: connects", scenario("idle"), "connects_per_s", "/s", 0),
			// A broker's allocator keeps memory freed after the first round and hands it out again in
			// the next: the first round, the largest, is the one that shows the cost.
			new Row("same: resident memory per idle connection (largest)", scenario("idle"), "rss_per_connection_kb", "KB", 2, true),
			new Row("same: JVM heap per idle connection (after full GC)", scenario("idle-heap"), "heap_per_connection_kb", "KB", 2),
			new Row("reconnect with user name and password: connects", scenario("reconnect"), "connects_per_s", "/s", 0),
			new Row("same: CONNACK p50", scenario("reconnect"), "connect_p50_ms", "ms", 1),
			new Row("RSS at rest after start", scenario("at-rest"), "rss_mb", "MB", 1),
			new Row("start-up of the packaged jar (to 'Started')", scenario("at-rest"), "startup_s", "s", 2));

	public static void main(String[] args) throws IOException {
		if (args.length < 1) {
			System.err.println("Usage: CompareTable runs.jsonl [base-label] [other-label]");
			System.exit(2);
		}
		String base = (args.length > 1) ? args[1] : BASE;
		String other = (args.length > 2) ? args[2] : OTHER;
		List<JsonNode> runs = new ArrayList<>();
		ObjectMapper json = new ObjectMapper();
		for (String line : Files.readAllLines(Path.of(args[0]))) {
			if (!line.isBlank()) {
				runs.add(json.readTree(line));
			}
		}
		System.out.print(table(runs, base, other));
	}

	static String table(List<JsonNode> runs, String base, String other) {
		StringBuilder out = new StringBuilder();
		out.append("| scenario (64 B payloads) | ").append(base).append(" | ").append(other).append(" | ")
			.append(other).append(" / ").append(base).append(" |\n|---|---:|---:|---:|\n");
		List<String> saturated = new ArrayList<>();
		for (Row row : ROWS) {
			List<JsonNode> matching = runs.stream().filter(row.runs()).toList();
			if (matching.isEmpty()) {
				continue;
			}
			double b = aggregate(matching, base, row);
			double o = aggregate(matching, other, row);
			out.append("| ").append(row.title()).append(" | ").append(format(b, row)).append(" | ")
				.append(format(o, row)).append(" | ")
				.append((b > 0 && !Double.isNaN(o)) ? String.format(Locale.ROOT, "%.2f", o / b) : "")
				.append(" |\n");
			for (JsonNode run : matching) {
				if (run.path("tool_saturated").asBoolean(false)) {
					String note = row.title().split(":")[0] + " (" + run.path("label").asString() + ")";
					if (!row.title().startsWith("same") && !saturated.contains(note)) {
						saturated.add(note);
					}
				}
			}
		}
		long rounds = ROWS.stream()
			.mapToLong((row) -> runs.stream()
				.filter(row.runs())
				.filter((r) -> base.equals(r.path("label").asString()))
				.count())
			.max()
			.orElse(0);
		out.append("\nMedians of ").append(Math.max(1, rounds))
			.append(" interleaved round(s). In the last column, above 1 is better for rates and worse for latency,")
			.append(" memory and time.");
		if (!saturated.isEmpty()) {
			out.append(" The load tool saturated its core in some runs of: ").append(String.join("; ", saturated))
				.append(" (there the broker may be faster than shown).");
		}
		out.append('\n');
		return out.toString();
	}

	private static double aggregate(List<JsonNode> runs, String label, Row row) {
		double[] values = runs.stream()
			.filter((r) -> label.equals(r.path("label").asString()))
			.map((r) -> r.get(row.key()))
			.filter((v) -> v != null && v.isNumber())
			.mapToDouble(JsonNode::asDouble)
			.sorted()
			.toArray();
		if (values.length == 0) {
			return Double.NaN;
		}
		if (row.largest()) {
			return values[values.length - 1];
		}
		int mid = values.length / 2;
		return (values.length % 2 == 1) ? values[mid] : (values[mid - 1] + values[mid]) / 2;
	}

	private static String format(double value, Row row) {
		if (Double.isNaN(value)) {
			return "–";
		}
		return String.format(Locale.ROOT, "%,." + row.decimals() + "f %s", value, row.unit());
	}

	private static Predicate<JsonNode> scenario(String name) {
		return (run) -> name.equals(run.path("scenario").asString());
	}

	private static Predicate<JsonNode> message(String name, int qos, long rate) {
		return scenario(name).and((run) -> run.path("qos").asInt(-1) == qos && run.path("rate").asLong(-1) == rate);
	}

	private static Predicate<JsonNode> fixedRate() {
		return scenario("pairs").and((run) -> run.path("qos").asInt(-1) == 1 && run.path("rate").asLong(0) > 0);
	}

}

package com.mqtthub.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * The figures of one run, in the order they are reported: one JSON line for scripts, and a
 * readable summary. Missing figures (no broker PID given, say) are absent or {@code null}.
 */
final class BenchReport {

	private final Map<String, Object> values = new LinkedHashMap<>();

	BenchReport put(String key, Object value) {
		if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
			value = null;
		}
		this.values.put(key, value);
		return this;
	}

	/** p50, p99, p99.9 and max of a histogram in microseconds, as milliseconds under {@code prefix_}. */
	BenchReport putLatency(String prefix, Histogram micros) {
		boolean empty = micros.getTotalCount() == 0;
		put(prefix + "_p50_ms", empty ? null : micros.getValueAtPercentile(50) / 1000.0);
		put(prefix + "_p99_ms", empty ? null : micros.getValueAtPercentile(99) / 1000.0);
		put(prefix + "_p999_ms", empty ? null : micros.getValueAtPercentile(99.9) / 1000.0);
		put(prefix + "_max_ms", empty ? null : micros.getMaxValue() / 1000.0);
		return this;
	}

	Object get(String key) {
		return this.values.get(key);
	}

	double number(String key) {
		return (this.values.get(key) instanceof Number n) ? n.doubleValue() : Double.NaN;
	}

	String toJson() {
		StringBuilder json = new StringBuilder("{");
		for (Map.Entry<String, Object> entry : this.values.entrySet()) {
			if (json.length() > 1) {
				json.append(',');
			}
			string(json, entry.getKey());
			json.append(':');
			Object value = entry.getValue();
			if (value == null || value instanceof Boolean) {
				json.append(value);
			}
			else if (value instanceof Double d) {
				json.append(String.format(Locale.ROOT, "%.3f", d));
			}
			else if (value instanceof Number n) {
				json.append(n);
			}
			else {
				string(json, value.toString());
			}
		}
		return json.append('}').toString();
	}

	private static void string(StringBuilder json, String text) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				default -> {
					if (c < 0x20) {
						json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

	/** A few lines for people: what ran, the rates, latency, losses, the broker's and the tool's load. */
	String summary() {
		StringBuilder out = new StringBuilder();
		if (this.values.containsKey("publishers")) {
			out.append(String.format(Locale.ROOT, "%s against %s (%s, %s): %s publisher(s), %s subscriber(s), QoS %s, %s B, rate %s%n",
					get("scenario"), get("label"), get("broker"), get("transport"), get("publishers"), get("subscribers"), get("qos"),
					get("payload_bytes"), number("rate") > 0 ? fmt(number("rate")) + " msg/s" : "max"));
			if (get("subscribe_broker") != null) {
				out.append(String.format(Locale.ROOT, "  subscribers at %s%n", get("subscribe_broker")));
			}
		}
		else {
			out.append(String.format(Locale.ROOT, "%s against %s (%s, %s): %s clients, %s CONNECTs at a time, %s%n",
					get("scenario"), get("label"), get("broker"), get("transport"), get("clients"), get("concurrency"),
					Boolean.TRUE.equals(get("credentials")) ? "with user name and password" : "anonymous"));
		}
		if (this.values.containsKey("delivered_per_s")) {
			out.append(String.format(Locale.ROOT,
					"  published %s msg/s (acknowledged %s), delivered %s msg/s over %s s%n", fmt(number("published_per_s")),
					fmt(number("acked_per_s")), fmt(number("delivered_per_s")), get("window_s")));
			out.append(String.format(Locale.ROOT, "  latency p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms%n",
					get("latency_p50_ms"), get("latency_p99_ms"), get("latency_p999_ms"), get("latency_max_ms")));
			out.append(String.format(Locale.ROOT,
					"  acknowledged %s, expected deliveries %s, received %s, lost %s, duplicates %s, out of order %s,"
							+ " connections lost %s, subscriber reconnects %s%n",
					get("acked"), get("expected"), get("received"), get("lost"), get("duplicates"), get("out_of_order"),
					get("connections_lost"), get("subscriber_reconnects")));
		}
		out.append(String.format(Locale.ROOT, "  connects %s/s (%s accepted, %s failed), CONNACK p50 %s ms, p99 %s ms%s%n",
				fmt(number("connects_per_s")), get("connects_accepted"), get("connects_failed"),
				get("connect_p50_ms"), get("connect_p99_ms"),
				get("connect_failures") != null ? " " + get("connect_failures") : ""));
		if (this.values.containsKey("first_connects_per_s")) {
			out.append(String.format(Locale.ROOT, "  first wave %s connects/s; the numbers above are the reconnect wave%n",
					fmt(number("first_connects_per_s"))));
		}
		if (get("broker_pid") != null) {
			out.append(String.format(Locale.ROOT, "  broker pid %s: CPU %s%%, RSS %s MB at start, %s MB max, %s MB at end",
					get("broker_pid"), fmt(number("broker_cpu_pct")), get("broker_rss_start_mb"),
					get("broker_rss_max_mb"), get("broker_rss_end_mb")));
			if (get("rss_per_connection_kb") != null) {
				out.append(String.format(Locale.ROOT, ", %s KB per connection", get("rss_per_connection_kb")));
			}
			out.append(String.format("%n"));
		}
		out.append(String.format(Locale.ROOT, "  load tool: CPU %s%% of %s core(s)%s%n", fmt(number("tool_cpu_pct")),
				get("tool_cores"), Boolean.TRUE.equals(get("tool_saturated"))
						? " - SATURATED: the tool, not the broker, may be the limit" : ""));
		if (get("tool_gc_pauses") != null) {
			out.append(String.format(Locale.ROOT, "  load tool: %s GC pause(s), %s ms in all, longest %s ms; JIT %s ms; %s B allocated per message%n",
					get("tool_gc_pauses"), get("tool_gc_pause_ms"), get("tool_gc_pause_max_ms"), get("tool_jit_ms"),
					fmt(number("tool_alloc_bytes_per_msg"))));
		}
		if (get("send_lag_p99_ms") != null) {
			out.append(String.format(Locale.ROOT, "  load tool: sends late by p50 %s ms, p99 %s ms, max %s ms after their due time%n",
					get("send_lag_p50_ms"), get("send_lag_p99_ms"), get("send_lag_max_ms")));
		}
		return out.toString();
	}

	private static String fmt(double value) {
		return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%,.0f", value);
	}

}

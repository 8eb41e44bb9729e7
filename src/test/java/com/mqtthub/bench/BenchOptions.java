package com.mqtthub.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one run of the load tool does, from its command line. Every value has a bound, so that no
 * typo turns into an endless or unbounded run.
 */
record BenchOptions(Scenario scenario, String host, int port, String username, String password, int qos,
		int payloadBytes, long rate, Duration warmup, Duration duration, int publishers, int subscribers,
		int clients, int concurrency, int inflight, long brokerPid, String label, Path jsonOut, int threads,
		Duration drain, Duration connectTimeout, int keepAliveSeconds, String subscribeHost, int subscribePort,
		boolean persistentSubscribers, Duration quiet, String webSocketPath) {

	/** Bytes every payload starts with: publisher, sequence number and send time. */
	static final int HEADER_BYTES = Payloads.HEADER_BYTES;

	static final String USAGE = """
			Usage: bench [--option value]...
			  --scenario     pairs | fan-out | fan-in | idle | reconnect          (pairs)
			  --host --port  the broker                                           (127.0.0.1 1883)
			  --subscribe-host --subscribe-port  where subscribers connect, e.g. the far
			                 side of a bridge                                     (--host --port)
			  --persistent-subscribers  true: clean session 0, reconnect when lost (false)
			  --username --password  credentials for every client                 (none)
			  --qos          0, 1 or 2                                            (1)
			  --payload      bytes per message, at least %d                       (64)
			  --rate         messages per second offered in all, 0 = as fast as possible (0)
			  --warmup --duration  e.g. 5s, 500ms, 2m                             (5s 20s)
			  --publishers --subscribers  pairs: publishers = pairs               (by scenario)
			  --clients      idle / reconnect: number of clients                  (1000)
			  --concurrency  idle / reconnect: CONNECTs outstanding at once       (100)
			  --inflight     QoS 1/2 messages a publisher leaves unacknowledged   (16)
			  --broker-pid   read the broker's CPU and memory from /proc          (none)
			  --label        a name for the broker in the report                  (broker)
			  --json-out     append the JSON line to this file                    (none)
			  --threads      the tool's network threads                           (its cores)
			  --drain        how long to wait for messages still on their way     (10s)
			  --quiet        the drain ends early after this long without a message (2s)
			  --connect-timeout  for each CONNECT and for the whole connect phase (60s)
			  --ws-path      connect by MQTT over WebSocket at this path, e.g. /mqtt (TCP)
			""".formatted(HEADER_BYTES);

	private static final Set<String> KNOWN = Set.of("scenario", "host", "port", "username", "password", "qos",
			"payload", "rate", "warmup", "duration", "publishers", "subscribers", "clients", "concurrency",
			"inflight", "broker-pid", "label", "json-out", "threads", "drain", "connect-timeout", "keep-alive",
			"subscribe-host", "subscribe-port", "persistent-subscribers", "quiet", "ws-path");

	static BenchOptions parse(String... args) {
		Map<String, String> values = new HashMap<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.isBlank()) {
				continue;
			}
			if (!arg.startsWith("--") || !KNOWN.contains(arg.substring(2))) {
				throw new IllegalArgumentException("Unknown option '" + arg + "'\n" + USAGE);
			}
			if (i + 1 >= args.length) {
				throw new IllegalArgumentException("Option " + arg + " needs a value");
			}
			values.put(arg.substring(2), args[++i]);
		}
		Scenario scenario = Scenario.parse(values.getOrDefault("scenario", "pairs"));
		int defaultPublishers = switch (scenario) {
			case PAIRS -> 50;
			case FAN_OUT -> 1;
			case FAN_IN -> 10;
			default -> 0;
		};
		int defaultSubscribers = switch (scenario) {
			case FAN_OUT -> 100;
			case FAN_IN -> 1;
			default -> 0;
		};
		int publishers = integer(values, "publishers", defaultPublishers, 0, 10_000);
		int subscribers = (scenario == Scenario.PAIRS) ? publishers
				: integer(values, "subscribers", defaultSubscribers, 0, 10_000);
		if (scenario.messages() && (publishers < 1 || subscribers < 1)) {
			throw new IllegalArgumentException("A message scenario needs at least one publisher and one subscriber");
		}
		if (scenario == Scenario.FAN_OUT && publishers != 1) {
			throw new IllegalArgumentException("fan-out has exactly one publisher");
		}
		if (scenario == Scenario.FAN_IN && subscribers != 1) {
			throw new IllegalArgumentException("fan-in has exactly one subscriber");
		}
		int cores = Runtime.getRuntime().availableProcessors();
		String host = values.getOrDefault("host", "127.0.0.1");
		int port = integer(values, "port", 1883, 1, 65_535);
		boolean persistent = bool(values, "persistent-subscribers");
		if (persistent && !scenario.messages()) {
			throw new IllegalArgumentException("--persistent-subscribers needs a message scenario");
		}
		return new BenchOptions(scenario, host, port, values.get("username"), values.get("password"),
				integer(values, "qos", 1, 0, 2), integer(values, "payload", 64, HEADER_BYTES, 1 << 20),
				integer(values, "rate", 0, 0, 10_000_000),
				duration(values, "warmup", "5s", Duration.ZERO, Duration.ofMinutes(10)),
				duration(values, "duration", "20s", Duration.ofMillis(100), Duration.ofHours(1)), publishers,
				subscribers, integer(values, "clients", 1000, 1, 50_000),
				integer(values, "concurrency", 100, 1, 10_000), integer(values, "inflight", 16, 1, 65_535),
				integer(values, "broker-pid", 0, 0, Integer.MAX_VALUE), label(values.getOrDefault("label", "broker")),
				values.containsKey("json-out") ? Path.of(values.get("json-out")) : null,
				integer(values, "threads", cores, 1, 64),
				duration(values, "drain", "10s", Duration.ZERO, Duration.ofMinutes(30)),
				duration(values, "connect-timeout", "60s", Duration.ofSeconds(1), Duration.ofMinutes(30)),
				integer(values, "keep-alive", 60, 10, 3600), values.getOrDefault("subscribe-host", host),
				integer(values, "subscribe-port", port, 1, 65_535), persistent,
				duration(values, "quiet", "2s", Duration.ofMillis(100), Duration.ofMinutes(30)),
				webSocketPath(values.get("ws-path")));
	}

	private static String webSocketPath(String text) {
		if (text != null && !text.matches("/[A-Za-z0-9._~/-]{0,200}")) {
			throw new IllegalArgumentException("--ws-path is a request path such as /mqtt");
		}
		return text;
	}

	/** Whether subscribers connect somewhere else than publishers (through a bridge, say). */
	boolean subscribersElsewhere() {
		return !this.subscribeHost.equals(this.host) || this.subscribePort != this.port;
	}

	private static boolean bool(Map<String, String> values, String name) {
		String text = values.getOrDefault(name, "false").trim().toLowerCase(Locale.ROOT);
		return switch (text) {
			case "true" -> true;
			case "false" -> false;
			default -> throw new IllegalArgumentException("--" + name + " must be true or false, not '" + text + "'");
		};
	}

	/** Publishers and subscribers, or the clients of a connection storm. */
	int connections() {
		return this.scenario.messages() ? this.publishers + this.subscribers : this.clients;
	}

	private static String label(String text) {
		if (!text.matches("[A-Za-z0-9._-]{1,40}")) {
			throw new IllegalArgumentException("A label is 1 to 40 letters, digits, '.', '_' or '-'");
		}
		return text;
	}

	private static int integer(Map<String, String> values, String name, long fallback, long min, long max) {
		String text = values.get(name);
		long value;
		try {
			value = (text != null) ? Long.parseLong(text.replace("_", "")) : fallback;
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + text + "'");
		}
		if (value < min || value > max) {
			throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max);
		}
		return (int) value;
	}

	static Duration duration(Map<String, String> values, String name, String fallback, Duration min, Duration max) {
		String text = values.getOrDefault(name, fallback).trim().toLowerCase(Locale.ROOT);
		Duration value;
		try {
			if (text.endsWith("ms")) {
				value = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
			}
			else if (text.endsWith("s")) {
				value = Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1)) * 1000));
			}
			else if (text.endsWith("m")) {
				value = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)) * 60);
			}
			else {
				value = Duration.ofSeconds(Long.parseLong(text));
			}
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("--" + name + " must be a duration such as 500ms, 5s or 2m, not '" + text + "'");
		}
		if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
			throw new IllegalArgumentException("--" + name + " must be between " + min + " and " + max);
		}
		return value;
	}

}

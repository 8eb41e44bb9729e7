package com.mqtthub.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

/**
 * The load tool: drives an MQTT broker with one scenario and reports what it measured, as a
 * readable summary and as one JSON line. Run it with
 * {@code ./mvnw -q -Pbench test-compile exec:exec -Dbench.args="--scenario pairs --qos 1"};
 * {@code docs/benchmarks.md} explains the options and {@code bench/compare.sh} compares brokers.
 */
public final class Bench {

	private Bench() {
	}

	public static void main(String[] args) throws Exception {
		String[] words = (args.length == 1) ? args[0].trim().split("\\s+") : args;
		if (Arrays.asList(words).contains("--help")) {
			System.out.print(BenchOptions.USAGE);
			return;
		}
		BenchOptions options;
		try {
			options = BenchOptions.parse(words);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		try {
			BenchReport report = run(options, System.out);
			System.exit(report.number("connects_accepted") > 0 ? 0 : 1);
		}
		catch (IllegalStateException ex) {
			// The broker could not be reached or refused clients: say so in one line.
			System.err.println("bench: " + ex.getMessage());
			System.exit(1);
		}
	}

	/** Runs one scenario, prints the summary and the JSON line, appends the line to --json-out. */
	static BenchReport run(BenchOptions options, PrintStream out) throws InterruptedException, IOException {
		String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.threads(),
				Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
		Runnable closeNetwork = () -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
		BenchReport report;
		try {
			Connector connector = new Connector(options, group);
			report = options.scenario().messages() ? new MessageLoad(options, connector, runId).run(closeNetwork)
					: new ConnectionStorm(options, connector, runId).run(closeNetwork);
		}
		finally {
			closeNetwork.run();
		}
		out.print(report.summary());
		String json = report.toJson();
		out.println(json);
		if (options.jsonOut() != null) {
			Files.writeString(options.jsonOut(), json + System.lineSeparator(), StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		return report;
	}

	/** The fields every report starts with: when, what and against which broker. */
	static void header(BenchReport report, BenchOptions o) {
		report.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
			.put("label", o.label())
			.put("broker", o.host() + ":" + o.port())
			.put("transport", (o.webSocketPath() != null) ? "ws " + o.webSocketPath() : "tcp")
			.put("scenario", o.scenario().label());
		if (o.scenario().messages()) {
			report.put("qos", o.qos()).put("payload_bytes", o.payloadBytes()).put("rate", o.rate());
		}
		report.put("credentials", o.username() != null);
	}

}

package com.mqtthub.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The connection scenarios. {@code idle}: N clients connect ({@code --concurrency} at a time) and
 * stay for {@code --duration}; reports connects per second and the broker's extra memory per
 * connection. {@code reconnect}: the same N connect, disconnect, and then all connect again at
 * once, as returning devices after a restart of the broker or of their network; reports the
 * second wave, which is where a broker can use what it learnt in the first (credentials).
 */
final class ConnectionStorm {

	private final BenchOptions options;

	private final Connector connector;

	private final String runId;

	ConnectionStorm(BenchOptions options, Connector connector, String runId) {
		this.options = options;
		this.connector = connector;
		this.runId = runId;
	}

	BenchReport run(Runnable closeNetwork) throws InterruptedException {
		BenchOptions o = this.options;
		LoadMeter meter = new LoadMeter(o.brokerPid());
		long rssBefore = meter.rss();
		Connector.Wave first = null;
		if (o.scenario() == Scenario.RECONNECT) {
			List<BenchClient> clients = clients();
			first = this.connector.connect(clients);
			clients.forEach(BenchClient::disconnect);
			awaitClosed(clients);
			// Let the broker finish with the old sessions before the storm.
			TimeUnit.MILLISECONDS.sleep(500);
		}
		List<BenchClient> clients = clients();
		meter.start();
		Connector.Wave wave = this.connector.connect(clients);
		meter.stop();
		// Hold the connections while the broker settles, sampling its memory.
		long holdEnd = System.nanoTime() + o.duration().toNanos();
		while (System.nanoTime() < holdEnd) {
			meter.sample();
			MessageLoad.sleepUntil(Math.min(holdEnd, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)));
		}
		long rssHeld = meter.rss();
		long lost = clients.stream().filter((c) -> c.lost).count();
		clients.forEach(BenchClient::disconnect);
		awaitClosed(clients);
		closeNetwork.run();

		BenchReport report = new BenchReport();
		Bench.header(report, o);
		report.put("clients", o.clients())
			.put("concurrency", o.concurrency())
			.put("hold_s", o.duration().toMillis() / 1000.0)
			.put("connects_per_s", wave.perSecond())
			.put("connects_accepted", wave.accepted())
			.put("connects_failed", wave.failed())
			.put("connect_failures", wave.failures().isEmpty() ? null : wave.failureSummary())
			.putLatency("connect", wave.latencyMicros())
			.put("connections_lost", lost);
		if (first != null) {
			report.put("first_connects_per_s", first.perSecond()).put("first_connects_failed", first.failed());
		}
		if (rssBefore > 0 && rssHeld > 0 && wave.accepted() > 0) {
			report.put("rss_per_connection_kb", Math.round((rssHeld - rssBefore) / 1024.0 / wave.accepted() * 100) / 100.0);
		}
		meter.report(report);
		return report;
	}

	private List<BenchClient> clients() {
		List<BenchClient> clients = new ArrayList<>();
		for (int i = 0; i < this.options.clients(); i++) {
			clients.add(new BenchClient("bench-" + this.runId + "-c" + i, this.options));
		}
		return clients;
	}

	/** Waits for the connections to close, 15 s at most in all. */
	private static void awaitClosed(List<BenchClient> clients) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
		for (BenchClient client : clients) {
			long left = deadline - System.nanoTime();
			if (client.channel != null && left > 0) {
				client.channel.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(left) + 1);
			}
		}
	}

}

package com.mqtthub.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.HdrHistogram.Histogram;

/**
 * The message scenarios (pairs, fan-out, fan-in): subscribers first, then publishers; warm-up,
 * the measured window, then a drain in which messages still on their way may arrive, so that
 * what never arrives counts as lost.
 */
final class MessageLoad {

	private static final long SAMPLE_MILLIS = 200;

	private final BenchOptions options;

	private final Connector connector;

	private final String runId;

	MessageLoad(BenchOptions options, Connector connector, String runId) {
		this.options = options;
		this.connector = connector;
		this.runId = runId;
	}

	BenchReport run(Runnable closeNetwork) throws InterruptedException {
		BenchOptions o = this.options;
		RunClock clock = new RunClock();
		String prefix = "bench/" + this.runId + "/";
		List<Subscriber> subscribers = new ArrayList<>();
		for (int s = 0; s < o.subscribers(); s++) {
			String filter;
			int[] expected;
			switch (o.scenario()) {
				case PAIRS -> {
					filter = prefix + s;
					expected = new int[] { s };
				}
				case FAN_OUT -> {
					filter = prefix + 0;
					expected = new int[] { 0 };
				}
				default -> {
					filter = prefix + "+";
					expected = IntStream.range(0, o.publishers()).toArray();
				}
			}
			subscribers.add(new Subscriber(clientId("s", s), o, filter, clock, o.publishers(), expected,
					this.connector));
		}
		List<Publisher> publishers = new ArrayList<>();
		for (int p = 0; p < o.publishers(); p++) {
			publishers.add(new Publisher(clientId("p", p), o, p, prefix + p, clock));
		}

		LoadMeter meter = new LoadMeter(o.brokerPid());
		long connectStart = System.nanoTime();
		Connector.Wave subscribed = this.connector.connect(subscribers, o.subscribeHost(), o.subscribePort());
		Connector.Wave connected = this.connector.connect(publishers);
		double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
		if (subscribed.failed() > 0 || connected.failed() > 0) {
			throw new IllegalStateException("Not every client could connect: subscribers " + subscribed.failureSummary()
					+ " publishers " + connected.failureSummary());
		}
		Histogram connectLatency = subscribed.latencyMicros().copy();
		connectLatency.add(connected.latencyMicros());

		// What lives through the run (histograms, bit sets, in-flight tables: tens of MB) is
		// allocated by now. Move it out of the young generation in one collection here, so that the
		// first young collection does not copy it during the window: a pause of every client, once
		// 450 ms on this machine, that showed up as the broker's latency.
		System.gc();
		long start = System.nanoTime();
		long windowStart = start + o.warmup().toNanos();
		long windowEnd = windowStart + o.duration().toNanos();
		clock.open(windowStart, windowEnd);
		for (int p = 0; p < publishers.size(); p++) {
			// One schedule for all from the start of the warm-up, staggered by publisher.
			publishers.get(p).start((o.rate() > 0) ? SendSchedule.of(start, o.rate(), publishers.size(), p) : null);
		}
		sleepUntil(windowStart);
		meter.start();
		while (System.nanoTime() < windowEnd) {
			meter.sample();
			sleepUntil(Math.min(windowEnd, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS)));
		}
		meter.stop();
		publishers.forEach(Publisher::stop);
		drain(publishers, subscribers);
		subscribers.forEach(BenchClient::disconnect);
		publishers.forEach(BenchClient::disconnect);
		// Counters and bit sets are read below, after the network threads have ended.
		closeNetwork.run();

		BenchReport report = new BenchReport();
		header(report);
		double window = o.duration().toNanos() / 1e9;
		long sentInWindow = publishers.stream().mapToLong((p) -> p.sentInWindow).sum();
		long ackedInWindow = publishers.stream().mapToLong((p) -> p.ackedInWindow).sum();
		long receivedInWindow = subscribers.stream().mapToLong((s) -> s.receivedInWindow).sum();
		Histogram latency = new Histogram(Subscriber.MAX_LATENCY_MICROS, 3);
		subscribers.forEach((s) -> latency.add(s.latency));
		long expected = 0;
		long received = 0;
		long lost = 0;
		for (Subscriber s : subscribers) {
			for (int p : s.expectedPublishers) {
				BitSet acknowledged = publishers.get(p).acknowledged;
				BitSet missing = (BitSet) acknowledged.clone();
				missing.andNot(s.received[p]);
				expected += acknowledged.cardinality();
				lost += missing.cardinality();
				received += s.received[p].cardinality();
			}
		}
		report.put("window_s", window)
			.put("published_per_s", sentInWindow / window)
			.put("acked_per_s", ackedInWindow / window)
			.put("delivered_per_s", receivedInWindow / window)
			.putLatency("latency", latency)
			.put("sent", publishers.stream().mapToLong((p) -> p.sent).sum())
			.put("acked", publishers.stream().mapToLong((p) -> p.acked).sum())
			.put("expected", expected)
			.put("received", received)
			.put("lost", lost)
			.put("duplicates", subscribers.stream().mapToLong((s) -> s.duplicates).sum())
			.put("out_of_order", subscribers.stream().mapToLong((s) -> s.outOfOrder).sum())
			.put("foreign", subscribers.stream().mapToLong((s) -> s.foreign).sum())
			.put("connections_lost", subscribers.stream().filter((s) -> s.lost).count()
					+ publishers.stream().filter((p) -> p.lost).count())
			.put("subscriber_reconnects", subscribers.stream().mapToLong((s) -> s.reconnects).sum())
			.put("connects_per_s", (subscribed.accepted() + connected.accepted()) / connectSeconds)
			.put("connects_accepted", subscribed.accepted() + connected.accepted())
			.put("connects_failed", 0)
			.putLatency("connect", connectLatency);
		if (o.rate() > 0) {
			// How well the tool kept its schedule: large values mean it, not the broker, was late.
			Histogram sendLag = new Histogram(Subscriber.MAX_LATENCY_MICROS, 3);
			publishers.forEach((p) -> sendLag.add(p.sendLag));
			report.putLatency("send_lag", sendLag);
		}
		meter.report(report);
		long messages = sentInWindow + ackedInWindow + receivedInWindow;
		report.put("tool_alloc_bytes_per_msg", (messages > 0) ? (double) meter.toolAllocatedBytes() / messages : null);
		return report;
	}

	/** Waits until every acknowledged message arrived, nothing new came for a while, or --drain passed. */
	private void drain(List<Publisher> publishers, List<Subscriber> subscribers) throws InterruptedException {
		long deadline = System.nanoTime() + this.options.drain().toNanos();
		long lastCount = -1;
		long lastChange = System.nanoTime();
		while (System.nanoTime() < deadline) {
			long expected = 0;
			for (Subscriber s : subscribers) {
				for (int p : s.expectedPublishers) {
					expected += publishers.get(p).acked;
				}
			}
			long received = subscribers.stream().mapToLong((s) -> s.receivedTotal).sum();
			if (received >= expected && publishers.stream().allMatch((p) -> p.acked == p.sent)) {
				return;
			}
			long now = System.nanoTime();
			if (received != lastCount) {
				lastCount = received;
				lastChange = now;
			}
			else if (now - lastChange > this.options.quiet().toNanos()) {
				return;
			}
			Thread.sleep(50);
		}
	}

	private void header(BenchReport report) {
		BenchOptions o = this.options;
		Bench.header(report, o);
		report.put("publishers", o.publishers())
			.put("subscribers", o.subscribers())
			.put("inflight", o.inflight())
			.put("warmup_s", o.warmup().toMillis() / 1000.0);
		if (o.subscribersElsewhere()) {
			report.put("subscribe_broker", o.subscribeHost() + ":" + o.subscribePort());
		}
		if (o.persistentSubscribers()) {
			report.put("persistent_subscribers", true);
		}
	}

	private String clientId(String role, int index) {
		return "bench-" + this.runId + "-" + role + index;
	}

	static void sleepUntil(long nanos) throws InterruptedException {
		long left = nanos - System.nanoTime();
		if (left > 0) {
			TimeUnit.NANOSECONDS.sleep(left);
		}
	}

}

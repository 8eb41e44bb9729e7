package com.mqtthub.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A short run of the load tool against the application: it must see every message delivered,
 * count no loss or duplicate at a low rate, read the broker's memory from /proc and write its
 * JSON line. This checks the tool, not the broker's speed: nothing here depends on how fast it is.
 */
@HubTest
class BenchSmokeIT {

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private MeterRegistry registry;

	@LocalServerPort
	private int webPort;

	@TempDir
	private Path temp;

	@Test
	void pairsAtQos1DeliverEveryMessageOnceAndReportIt() throws Exception {
		Path json = this.temp.resolve("runs.jsonl");
		BenchReport report = run("--scenario", "pairs", "--publishers", "2", "--qos", "1", "--rate", "200",
				"--json-out", json.toString());

		assertThat(report.number("delivered_per_s")).isPositive();
		assertThat(report.number("acked")).isPositive();
		assertThat(report.number("received")).isEqualTo(report.number("expected"));
		assertThat(report.number("lost")).isZero();
		assertThat(report.number("duplicates")).isZero();
		assertThat(report.number("connections_lost")).isZero();
		assertThat(report.number("latency_p99_ms")).isPositive();
		// The application runs in this JVM, so its PID is ours.
		assertThat(report.number("broker_rss_max_mb")).isPositive();
		assertThat(report.number("broker_cpu_pct")).isNotNaN();
		// At a fixed rate the tool says how late it sent against its schedule and what its own JVM
		// did meanwhile.
		assertThat(report.number("send_lag_p99_ms")).isNotNaN();
		assertThat(report.number("tool_gc_pauses")).isNotNegative();
		assertThat(report.number("tool_jit_ms")).isNotNaN();
		assertThat(report.number("tool_alloc_bytes_per_msg")).isPositive();

		List<String> lines = Files.readAllLines(json);
		assertThat(lines).hasSize(1);
		JsonNode line = new ObjectMapper().readTree(lines.get(0));
		assertThat(line.get("scenario").asString()).isEqualTo("pairs");
		assertThat(line.get("lost").asLong()).isZero();
		assertThat(line.get("delivered_per_s").asDouble()).isPositive();
	}

	@Test
	void aFixedRateAtQos0KeepsSendingWithNothingAcknowledged() throws Exception {
		// No acknowledgement comes back to wake a QoS 0 publisher: its own timer has to, all along.
		BenchReport report = run("--scenario", "fan-out", "--subscribers", "2", "--qos", "0", "--rate", "200");

		assertThat(report.number("published_per_s")).isPositive();
		assertThat(report.number("delivered_per_s")).isPositive();
		assertThat(report.number("received")).isEqualTo(report.number("expected"));
	}

	@Test
	void fanInAtQos2CountsEveryMessageExactlyOnce() throws Exception {
		BenchReport report = run("--scenario", "fan-in", "--publishers", "3", "--qos", "2", "--rate", "150");

		assertThat(report.number("received")).isPositive().isEqualTo(report.number("expected"));
		assertThat(report.number("lost")).isZero();
		assertThat(report.number("duplicates")).isZero();
	}

	@Test
	void aPersistentSubscriberThrownOutConnectsAgainAndMissesNothing() throws Exception {
		CompletableFuture<BenchReport> running = CompletableFuture.supplyAsync(() -> {
			try {
				return run("--scenario", "pairs", "--publishers", "1", "--qos", "1", "--rate", "200",
						"--persistent-subscribers", "true", "--duration", "4s");
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
		// Once messages flow, the hub closes both clients (they share the user name): the publisher
		// stays away, the subscriber comes back to its session and the messages kept for it.
		double sentBefore = sent();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (sent() < sentBefore + 50 && System.nanoTime() < deadline && !running.isDone()) {
			Thread.sleep(20);
		}
		assertThat(this.broker.disconnectUser(HubTest.ADMIN)).isEqualTo(2);
		BenchReport report = running.get(90, TimeUnit.SECONDS);

		assertThat(report.number("subscriber_reconnects")).isPositive();
		assertThat(report.number("acked")).isPositive();
		assertThat(report.number("lost")).isZero();
		assertThat(report.number("out_of_order")).isZero();
		assertThat(report.get("persistent_subscribers")).isEqualTo(true);
		assertThat(report.get("subscribe_broker")).isNull();
	}

	/** Messages the hub has sent to subscribers, at any QoS. */
	private double sent() {
		return this.registry.find("mqtthub.messages.sent").functionCounters().stream()
			.mapToDouble(FunctionCounter::count)
			.sum();
	}

	@Test
	void overWebSocketBothTheListenerAndTheSameOriginEndpointDeliverEveryMessage() throws Exception {
		for (int port : new int[] { this.broker.getWebSocketPort(), this.webPort }) {
			BenchReport report = runAt(port, "--scenario", "pairs", "--publishers", "2", "--qos", "1", "--rate", "200",
					"--ws-path", "/mqtt");

			assertThat(report.number("received")).isPositive().isEqualTo(report.number("expected"));
			assertThat(report.number("lost")).isZero();
			assertThat(report.number("duplicates")).isZero();
			assertThat(report.summary()).contains("ws /mqtt");
		}
	}

	@Test
	void idleClientsAreCountedAsConnects() throws Exception {
		BenchReport report = run("--scenario", "idle", "--clients", "8", "--concurrency", "4");

		assertThat(report.number("connects_accepted")).isEqualTo(8);
		assertThat(report.number("connects_failed")).isZero();
		assertThat(report.number("connects_per_s")).isPositive();
		assertThat(report.summary()).contains("idle against hub");
	}

	private BenchReport run(String... scenario) throws Exception {
		return runAt(this.broker.getTcpPort(), scenario);
	}

	private BenchReport runAt(int port, String... scenario) throws Exception {
		List<String> args = new ArrayList<>(List.of(scenario));
		args.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port), "--username",
				HubTest.ADMIN, "--password", HubTest.ADMIN_PASSWORD, "--warmup", "300ms", "--duration", "1500ms",
				"--drain", "10s", "--connect-timeout", "30s", "--threads", "1", "--label", "hub", "--broker-pid",
				Long.toString(ProcessHandle.current().pid())));
		ByteArrayOutputStream printed = new ByteArrayOutputStream();
		BenchReport report = Bench.run(BenchOptions.parse(args.toArray(String[]::new)),
				new PrintStream(printed, true, StandardCharsets.UTF_8));
		System.out.print(printed.toString(StandardCharsets.UTF_8));
		assertThat(printed.toString(StandardCharsets.UTF_8)).contains("{\"time\":");
		return report;
	}

}

package com.mqtthub.load;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Soak and load run, on demand only: mixed MQTT traffic against the whole application for a
 * set time, reporting delivered messages per second, delivery latency and the heap after a full
 * garbage collection over time, which must stay flat.
 * <p>
 * {@code ./mvnw verify -Dit.test=SoakIT -Dsoak.duration=10m} (optionally {@code -Dsoak.rate=2000}
 * messages per second in all, {@code -Dsoak.sample=15s}). Results go to {@code target/soak/}.
 */
@HubTest
@EnabledIfSystemProperty(named = "soak.duration", matches = ".+")
class SoakIT {

	static {
		// The build tracks every buffer for leaks; that bookkeeping would distort what is measured.
		io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
	}

	private static final int PUBLISHERS = 4;

	private static final int SUBSCRIBERS = 4;

	@Autowired
	private EmbeddedBroker broker;

	private final LongAdder sent = new LongAdder();

	private final LongAdder delivered = new LongAdder();

	/** Delivery latencies in microseconds, bucketed by powers of two. */
	private final LongAdder[] latency = new LongAdder[32];

	@Test
	void heapStaysFlatUnderMixedLoad() throws Exception {
		Duration duration = DurationStyle.detectAndParse(System.getProperty("soak.duration"));
		Duration sample = DurationStyle.detectAndParse(System.getProperty("soak.sample", "15s"));
		int rate = Integer.getInteger("soak.rate", 2000);
		Arrays.setAll(this.latency, (i) -> new LongAdder());
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		String run = UUID.randomUUID().toString().substring(0, 8);
		Path results = Path.of("target", "soak");
		Files.createDirectories(results);
		List<String> csv = new ArrayList<>(List.of("seconds,heap_after_gc_mb,sent,delivered,connections"));

		List<MqttClient> subscribers = new ArrayList<>();
		for (int i = 0; i < SUBSCRIBERS; i++) {
			subscribers.add(subscriber(tcp, "soak-sub-" + run + "-" + i, "soak/" + run + "/" + (i % 2 == 0 ? "#" : "+/data"),
					i % 3));
		}
		AtomicBoolean running = new AtomicBoolean(true);
		ExecutorService load = Executors.newFixedThreadPool(PUBLISHERS + 1);
		for (int i = 0; i < PUBLISHERS; i++) {
			int publisher = i;
			load.submit(() -> publish(tcp, run, publisher, rate / PUBLISHERS, running));
		}
		load.submit(() -> churn(tcp, run, running));

		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		List<Long> heap = new ArrayList<>();
		while (System.nanoTime() < end) {
			Thread.sleep(Math.min(sample.toMillis(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
			System.gc();
			System.gc();
			long used = memory.getHeapMemoryUsage().getUsed();
			heap.add(used);
			long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
			System.out.printf(Locale.ROOT, "soak: %ds of %ds, heap after GC %.1f MB, sent %d, delivered %d%n", seconds,
					duration.toSeconds(), used / 1e6, this.sent.sum(), this.delivered.sum());
			csv.add(String.format(Locale.ROOT, "%d,%.1f,%d,%d,%d", seconds, used / 1e6, this.sent.sum(),
					this.delivered.sum(), this.broker.getLimits().connections()));
		}
		running.set(false);
		load.shutdown();
		load.awaitTermination(30, TimeUnit.SECONDS);
		for (MqttClient subscriber : subscribers) {
			subscriber.disconnect(5000);
			subscriber.close();
		}

		double elapsed = (System.nanoTime() - start) / 1e9;
		String summary = String.format(Locale.ROOT,
				"duration %.0f s, offered %d msg/s, sent %.0f msg/s, delivered %.0f msg/s, latency p50 %s, p99 %s, "
						+ "heap after GC first third %.1f MB, last third %.1f MB%n",
				elapsed, rate, this.sent.sum() / elapsed, this.delivered.sum() / elapsed, percentile(0.50),
				percentile(0.99), average(heap, 0) / 1e6, average(heap, 2) / 1e6);
		System.out.print("soak: " + summary);
		Files.write(results.resolve("heap.csv"), csv);
		Files.writeString(results.resolve("summary.txt"), summary);

		assertThat(this.delivered.sum()).as("messages delivered").isPositive();
		// Flat: the last third of the run may sit at most 20 % (plus 16 MB of noise) above the first.
		assertThat(average(heap, 2)).as("heap after GC, last third of the run")
			.isLessThanOrEqualTo(average(heap, 0) * 1.2 + 16e6);
	}

	private MqttClient subscriber(String tcp, String id, String filter, int qos) throws Exception {
		MqttClient client = new MqttClient(tcp, id, new MemoryPersistence());
		client.setCallback(new MqttCallback() {
			@Override
			public void connectionLost(Throwable cause) {
			}

			@Override
			public void messageArrived(String topic, MqttMessage message) {
				SoakIT.this.delivered.increment();
				byte[] payload = message.getPayload();
				if (payload.length >= Long.BYTES) {
					long micros = (System.nanoTime() - ByteBuffer.wrap(payload).getLong()) / 1000;
					SoakIT.this.latency[Math.min(31, 64 - Long.numberOfLeadingZeros(Math.max(1, micros)))].increment();
				}
			}

			@Override
			public void deliveryComplete(IMqttDeliveryToken token) {
			}
		});
		client.connect(MqttTestClient.options(true));
		client.subscribe(filter, qos);
		return client;
	}

	/**
	 * One publisher at a fixed rate, QoS 0, 1 and 2 in turn, with a retained update now and then;
	 * it does not wait for acknowledgements (up to 1000 in flight), as a busy device would not.
	 */
	private void publish(String tcp, String run, int publisher, int perSecond, AtomicBoolean running) {
		try (MqttAsyncClient client = new MqttAsyncClient(tcp, "soak-pub-" + run + "-" + publisher,
				new MemoryPersistence())) {
			MqttConnectOptions options = MqttTestClient.options(true);
			options.setMaxInflight(1000);
			client.connect(options).waitForCompletion(10_000);
			long interval = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
			long next = System.nanoTime();
			long count = 0;
			while (running.get()) {
				ByteBuffer payload = ByteBuffer.allocate(64 + (int) (count % 512));
				payload.putLong(System.nanoTime());
				int qos = (int) (count % 3);
				boolean retained = count % 100 == 0;
				try {
					client.publish("soak/" + run + "/device" + (count % 50) + "/data", payload.array(), qos, retained);
				}
				catch (MqttException ex) {
					if (ex.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
						throw ex;
					}
					// The broker is behind: this message waits, as it would on a device.
					TimeUnit.MILLISECONDS.sleep(1);
					continue;
				}
				this.sent.increment();
				count++;
				next += interval;
				long wait = next - System.nanoTime();
				if (wait > 0) {
					TimeUnit.NANOSECONDS.sleep(wait);
				}
			}
			client.disconnect().waitForCompletion(10_000);
		}
		catch (Exception ex) {
			if (running.get()) {
				System.out.println("soak: publisher " + publisher + " failed: " + ex);
			}
		}
	}

	/** Clients that come and go: clean and persistent sessions, subscriptions, wills. */
	private void churn(String tcp, String run, AtomicBoolean running) {
		long round = 0;
		while (running.get()) {
			String id = "soak-churn-" + run + "-" + (round % 20);
			try (MqttTestClient client = MqttTestClient.connect(tcp, id, MqttTestClient.options(round % 2 == 0))) {
				client.subscribe("soak/" + run + "/device" + (round % 50) + "/#", 1);
				Thread.sleep(200);
				if (round % 5 == 0) {
					client.dropConnection();
				}
			}
			catch (Exception ex) {
				if (running.get()) {
					System.out.println("soak: churn failed: " + ex);
				}
			}
			round++;
		}
	}

	private String percentile(double fraction) {
		long total = Arrays.stream(this.latency).mapToLong(LongAdder::sum).sum();
		long seen = 0;
		for (int bucket = 0; bucket < this.latency.length; bucket++) {
			seen += this.latency[bucket].sum();
			if (total > 0 && seen >= fraction * total) {
				long upperMicros = 1L << bucket;
				return (upperMicros >= 1000) ? "< " + upperMicros / 1000 + " ms" : "< " + upperMicros + " µs";
			}
		}
		return "n/a";
	}

	/** The average of one third (0, 1 or 2) of the samples. */
	private static double average(List<Long> samples, int third) {
		int size = samples.size();
		int from = size * third / 3;
		int to = Math.max(from + 1, size * (third + 1) / 3);
		return samples.subList(Math.min(from, size - 1), Math.min(to, size)).stream().mapToLong(Long::longValue)
			.average()
			.orElse(0);
	}

}

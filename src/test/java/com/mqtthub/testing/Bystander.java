package com.mqtthub.testing;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A well-behaved client that keeps publishing to its own topic at QoS 1 and receiving its own
 * messages while an attack runs beside it: what an attack must not harm. It records every round
 * trip (publish to delivery), so a test can show the hub kept serving it throughout.
 * <p>
 * Start it, run the attack, then {@link #stop()} and assert on the {@link Report}.
 */
public final class Bystander implements AutoCloseable {

	private final MqttClient client;

	private final String topic;

	private final ScheduledExecutorService ticker = Executors
		.newSingleThreadScheduledExecutor(r -> new Thread(r, "bystander-publisher"));

	private final List<Double> roundTripMillis = Collections.synchronizedList(new ArrayList<>());

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong publishFailures = new AtomicLong();

	private volatile Throwable lost;

	private Bystander(MqttClient client, String topic) {
		this.client = client;
		this.topic = topic;
	}

	/**
	 * Connects as {@code username} over MQTT/TCP on {@code port}, subscribes to its own topic and
	 * publishes there every {@code every}.
	 * @param topic a topic the user may publish to and read
	 */
	public static Bystander start(int port, String username, String password, String topic, Duration every)
			throws MqttException {
		MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "bystander-" + System.nanoTime(),
				new MemoryPersistence());
		MqttConnectOptions options = new MqttConnectOptions();
		options.setCleanSession(true);
		options.setAutomaticReconnect(false);
		options.setConnectionTimeout(10);
		options.setKeepAliveInterval(30);
		options.setMaxInflight(1000);
		if (username != null) {
			options.setUserName(username);
			options.setPassword(password.toCharArray());
		}
		Bystander bystander = new Bystander(client, topic);
		client.setCallback(new MqttCallback() {
			@Override
			public void connectionLost(Throwable cause) {
				bystander.lost = cause;
			}

			@Override
			public void messageArrived(String t, MqttMessage message) {
				byte[] payload = message.getPayload();
				if (payload.length == Long.BYTES) {
					long sentAt = ByteBuffer.wrap(payload).getLong();
					bystander.roundTripMillis.add((System.nanoTime() - sentAt) / 1e6);
				}
			}

			@Override
			public void deliveryComplete(IMqttDeliveryToken token) {
			}
		});
		client.connect(options);
		client.subscribe(topic, 1);
		bystander.ticker.scheduleWithFixedDelay(bystander::publishOne, 0, every.toMillis(), TimeUnit.MILLISECONDS);
		return bystander;
	}

	private void publishOne() {
		if (!this.client.isConnected()) {
			return;
		}
		try {
			MqttMessage message = new MqttMessage(ByteBuffer.allocate(Long.BYTES).putLong(System.nanoTime()).array());
			message.setQos(1);
			// Asynchronous: a slow hub shows as long round trips, not as a stalled ticker.
			this.client.getTopic(this.topic).publish(message);
			this.sent.incrementAndGet();
		}
		catch (MqttException ex) {
			this.publishFailures.incrementAndGet();
		}
	}

	/**
	 * Stops publishing, waits up to {@code settle} for messages still on their way, and reports.
	 */
	public Report stop(Duration settle) throws InterruptedException {
		this.ticker.shutdownNow();
		this.ticker.awaitTermination(5, TimeUnit.SECONDS);
		long deadline = System.nanoTime() + settle.toNanos();
		while (this.roundTripMillis.size() < this.sent.get() && System.nanoTime() < deadline && this.lost == null) {
			Thread.sleep(20);
		}
		List<Double> sorted;
		synchronized (this.roundTripMillis) {
			sorted = new ArrayList<>(this.roundTripMillis);
		}
		Collections.sort(sorted);
		return new Report(this.sent.get(), sorted.size(), this.publishFailures.get(), this.lost,
				sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2),
				sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1));
	}

	@Override
	public void close() {
		this.ticker.shutdownNow();
		try {
			if (this.client.isConnected()) {
				this.client.disconnect(1000);
			}
			this.client.close(true);
		}
		catch (MqttException ex) {
			// Closing anyway.
		}
	}

	/**
	 * What the bystander saw: messages sent and received back, publish calls that failed, the
	 * cause if its connection was lost, and its median and worst round trip in milliseconds.
	 */
	public record Report(long sent, long received, long publishFailures, Throwable connectionLost,
			double medianMillis, double maxMillis) {

		/** Stayed connected and got every message it sent back. */
		public boolean unharmed() {
			return this.connectionLost == null && this.publishFailures == 0 && this.sent > 0
					&& this.received == this.sent;
		}

		@Override
		public String toString() {
			return "sent " + this.sent + ", received " + this.received + ", publish failures " + this.publishFailures
					+ ", connection lost " + this.connectionLost + ", round trip median "
					+ String.format("%.1f", this.medianMillis) + " ms, max " + String.format("%.1f", this.maxMillis)
					+ " ms";
		}

	}

}

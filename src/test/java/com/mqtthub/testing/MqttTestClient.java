package com.mqtthub.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A real MQTT client (Eclipse Paho) for tests, which collects every message it receives.
 */
public final class MqttTestClient implements AutoCloseable {

	private final MqttClient client;

	private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

	private volatile Throwable connectionLost;

	private MqttTestClient(MqttClient client) {
		this.client = client;
		// Every blocking call is bounded: a connection that dies mid-write must fail the test, not hang it.
		client.setTimeToWait(15_000);
		client.setCallback(new MqttCallback() {
			@Override
			public void connectionLost(Throwable cause) {
				MqttTestClient.this.connectionLost = (cause != null) ? cause : new IllegalStateException("lost");
			}

			@Override
			public void messageArrived(String topic, MqttMessage message) {
				MqttTestClient.this.received.add(new Received(topic, message));
			}

			@Override
			public void deliveryComplete(IMqttDeliveryToken token) {
			}
		});
	}

	/** Connects as the test administrator with a clean session and a 30 s keep-alive. */
	public static MqttTestClient connect(String serverUri, String clientId) throws MqttException {
		return connect(serverUri, clientId, options(true));
	}

	public static MqttTestClient connect(String serverUri, String clientId, MqttConnectOptions options)
			throws MqttException {
		MqttTestClient testClient = create(serverUri, clientId);
		testClient.client.connect(options);
		return testClient;
	}

	/** A client that is not connected yet, for tests that need to see the connect fail. */
	public static MqttTestClient create(String serverUri, String clientId) throws MqttException {
		return new MqttTestClient(new MqttClient(serverUri, clientId, new MemoryPersistence()));
	}

	/** Options to connect as the test administrator, who may use every topic. */
	public static MqttConnectOptions options(boolean cleanSession) {
		return options(cleanSession, HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
	}

	/** Options to connect with these credentials; a {@code null} user name connects anonymously. */
	public static MqttConnectOptions options(boolean cleanSession, String username, String password) {
		MqttConnectOptions options = anonymousOptions(cleanSession);
		if (username != null) {
			options.setUserName(username);
		}
		if (password != null) {
			options.setPassword(password.toCharArray());
		}
		return options;
	}

	/** Options to connect without a user name. */
	public static MqttConnectOptions anonymousOptions(boolean cleanSession) {
		MqttConnectOptions options = new MqttConnectOptions();
		// Only 3.1.1: by default Paho retries a refused connection with MQTT 3.1, which would
		// count every refusal twice.
		options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
		options.setCleanSession(cleanSession);
		options.setKeepAliveInterval(30);
		options.setConnectionTimeout(10);
		options.setAutomaticReconnect(false);
		options.setMaxInflight(1000);
		return options;
	}

	public MqttClient paho() {
		return this.client;
	}

	public void subscribe(String filter, int qos) throws MqttException {
		int[] granted = this.client.subscribeWithResponse(new String[] { filter }, new int[] { qos })
			.getGrantedQos();
		if (granted[0] != qos) {
			throw new IllegalStateException("Subscription to " + filter + " granted QoS " + granted[0]);
		}
	}

	public void publish(String topic, byte[] payload, int qos, boolean retained) throws MqttException {
		this.client.publish(topic, payload, qos, retained);
	}

	public void publish(String topic, String payload, int qos, boolean retained) throws MqttException {
		publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), qos, retained);
	}

	/** The next message, or an assertion failure after the timeout. */
	public Received awaitMessage(Duration timeout) throws InterruptedException {
		Received next = this.received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (next == null) {
			throw new AssertionError("No message arrived within " + timeout);
		}
		return next;
	}

	/** Exactly {@code count} next messages. */
	public List<Received> awaitMessages(int count, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		List<Received> messages = new ArrayList<>();
		while (messages.size() < count) {
			long left = deadline - System.nanoTime();
			Received next = this.received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
			if (next == null) {
				throw new AssertionError("Only " + messages.size() + " of " + count + " messages arrived within "
						+ timeout + ": " + messages);
			}
			messages.add(next);
		}
		return messages;
	}

	/** Messages received so far and not yet taken. */
	public List<Received> drain() {
		List<Received> messages = new ArrayList<>();
		this.received.drainTo(messages);
		return messages;
	}

	public Throwable connectionLost() {
		return this.connectionLost;
	}

	public boolean isConnected() {
		return this.client.isConnected();
	}

	/** Drops the network connection without sending DISCONNECT, as a crashed device would. */
	public void dropConnection() throws MqttException {
		this.client.disconnectForcibly(0, 1000, false);
	}

	@Override
	public void close() {
		try {
			if (this.client.isConnected()) {
				this.client.disconnect(2000);
			}
		}
		catch (MqttException ex) {
			// already gone
		}
		try {
			this.client.close(true);
		}
		catch (MqttException ex) {
			// already closed
		}
	}

	/** One received message. */
	public record Received(String topic, MqttMessage message) {

		public String payload() {
			return new String(this.message.getPayload(), java.nio.charset.StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return this.topic + ":" + payload();
		}

	}

}

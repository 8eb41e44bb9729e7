package com.mqtthub.bridge;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import javax.net.ssl.SSLSocketFactory;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge at run time: its queue, and one thread that connects to the remote (with back-off),
 * forwards the queue in order with a bounded window of unacknowledged messages, and brings the
 * remote's messages in. A message leaves the queue only when the remote acknowledged it, so a
 * lost connection or a crash sends again what was in flight (at least once).
 */
final class BridgeLink {

	private static final Logger logger = LoggerFactory.getLogger(BridgeLink.class);

	private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	/** Hands a message from the remote to the hub. */
	interface Inbound {

		/** @return false when the hub cannot take it now ({@code stored} then never runs) */
		boolean publish(BridgeLink from, String topic, byte[] payload, int qos, boolean retain, Runnable stored);

	}

	private final Bridge definition;

	private final List<TopicMapping> mappings;

	private final char[] password;

	private final SSLSocketFactory socketFactory;

	private final Inbound inbound;

	/** Hears each state change that is logged, for the retained status topic. */
	private final Consumer<BridgeStatus> status;

	private final EchoFilter echo = new EchoFilter();

	private final AddressRotation rotation;

	private final Counters counters;

	/** Why this bridge may not start (a stored definition that no longer works), or null. */
	private final String blocked;

	private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

	/** Wakes the worker: pause, resume, stop, a lost connection, an acknowledgement. */
	private final Object signal = new Object();

	private volatile BridgeQueue queue;

	/** Asks the broker for a commit, so that acknowledged messages leave the queue on disk soon. */
	private volatile Runnable requestCommit = () -> {
	};

	/** Messages left the queue since the last commit request. */
	private final AtomicBoolean removed = new AtomicBoolean();

	private volatile BridgeState state = BridgeState.STOPPED;

	private volatile String lastError;

	private volatile String connectedAddress;

	private volatile boolean paused;

	private volatile boolean running;

	private volatile boolean connectionLost;

	private Thread worker;

	/** What was last logged, so that each change is logged once (and a retry loop is not). */
	private BridgeState loggedState;

	private String loggedError;

	/** A bridge's counters; they outlive an edit of the bridge, which replaces its link. */
	static final class Counters {

		private final LongAdder forwarded = new LongAdder();

		private final LongAdder received = new LongAdder();

		private final LongAdder attempts = new LongAdder();

	}

	BridgeLink(Bridge definition, String password, Inbound inbound) {
		this(definition, password, inbound, new Counters(), null, (status) -> {
		});
	}

	/**
	 * @param blocked why the bridge may not start, shown as its last error; null when it can
	 * @param status hears each change of state, once per change (not at every retry)
	 */
	BridgeLink(Bridge definition, String password, Inbound inbound, Counters counters, String blocked,
			Consumer<BridgeStatus> status) {
		this.definition = definition;
		this.mappings = definition.getTopics().stream().map(TopicMapping::of).toList();
		this.rotation = new AddressRotation(definition.getAddresses(), definition.getFailover());
		this.password = (password != null) ? password.toCharArray() : null;
		this.socketFactory = (blocked == null) ? RemoteClients.socketFactory(definition) : null;
		this.inbound = inbound;
		this.paused = definition.isPaused();
		this.counters = counters;
		this.blocked = blocked;
		this.status = status;
	}

	Counters counters() {
		return this.counters;
	}

	String name() {
		return this.definition.getName();
	}

	Bridge definition() {
		return this.definition;
	}

	List<TopicMapping> mappings() {
		return this.mappings;
	}

	/** The broker opened its store: the queue lives there. */
	void open(BridgeQueue queue, Runnable requestCommit) {
		this.queue = queue;
		this.requestCommit = requestCommit;
	}

	/**
	 * A message published in the hub: queued when a rule sends it out, unless it came from the
	 * remote hub's bridge back to this one.
	 * @param fromClient the publishing client, null when it came over another bridge
	 */
	void offer(String fromClient, String topic, byte[] payload, int qos, boolean retain) {
		BridgeQueue target = this.queue;
		if (target == null || !this.definition.isEnabled() || isPeer(fromClient)) {
			return;
		}
		for (TopicMapping mapping : this.mappings) {
			String remote = mapping.outgoing(topic);
			if (remote != null) {
				if (target.append(remote, payload, Math.min(qos, mapping.qos()), retain, System.currentTimeMillis())) {
					logger.warn("Bridge '{}': queue full (mqtthub.bridges[].queue), dropping its oldest messages",
							name());
				}
				return;
			}
		}
	}

	/** Whether {@code clientId} is the remote hub's bridge back to this hub. */
	boolean isPeer(String clientId) {
		return clientId != null && clientId.equals(this.definition.getPeerClientId());
	}

	/** Whether this bridge sends a local message on {@code topic} out (when it is enabled). */
	boolean forwards(String topic) {
		if (!this.definition.isEnabled()) {
			return false;
		}
		for (TopicMapping mapping : this.mappings) {
			if (mapping.outgoing(topic) != null) {
				return true;
			}
		}
		return false;
	}

	synchronized void start() {
		if (this.running) {
			return;
		}
		if (!this.definition.isEnabled() || this.blocked != null) {
			changeState(BridgeState.STOPPED, this.blocked);
			return;
		}
		this.running = true;
		this.worker = new Thread(this::run, "mqtt-bridge-" + name());
		this.worker.setDaemon(true);
		this.worker.start();
	}

	synchronized void stop() {
		this.running = false;
		wake();
		Thread stopping = this.worker;
		this.worker = null;
		if (stopping != null) {
			try {
				stopping.join(15_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		changeState(BridgeState.STOPPED, null);
	}

	void pause() {
		this.paused = true;
		wake();
	}

	void resume() {
		this.paused = false;
		wake();
	}

	private void wake() {
		synchronized (this.signal) {
			this.signal.notifyAll();
		}
	}

	private void run() {
		int failures = 0;
		while (this.running) {
			if (this.paused) {
				changeState(BridgeState.PAUSED, null);
				pauseFor(Duration.ofSeconds(1));
				continue;
			}
			changeState(BridgeState.CONNECTING, this.lastError);
			MqttAsyncClient client = null;
			try {
				client = connect();
				failures = 0;
				this.connectedAddress = client.getCurrentServerURI();
				changeState(BridgeState.CONNECTED, null);
				subscribe(client);
				forward(client);
			}
			catch (MqttException ex) {
				this.lastError = RemoteClients.describe(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.running = false;
			}
			catch (RuntimeException ex) {
				this.lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
				logger.warn("Bridge '{}': unexpected error", name(), ex);
			}
			finally {
				close(client);
				this.connectedAddress = null;
			}
			if (this.running && !this.paused) {
				failures++;
				Duration delay = backOff(failures);
				changeState(BridgeState.BACKING_OFF, this.lastError);
				pauseFor(delay);
			}
		}
	}

	/** Exponential back-off with "equal jitter": half the delay fixed, half random. */
	Duration backOff(int failures) {
		long initial = this.definition.getReconnect().getInitialDelay().toMillis();
		long max = this.definition.getReconnect().getMaxDelay().toMillis();
		long delay = initial;
		for (int i = 1; i < failures && delay < max; i++) {
			delay *= 2;
		}
		delay = Math.min(delay, max);
		return Duration.ofMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
	}

	private void pauseFor(Duration delay) {
		long deadline = System.nanoTime() + delay.toNanos();
		boolean wasPaused = this.paused;
		synchronized (this.signal) {
			long left;
			while (this.running && this.paused == wasPaused && (left = deadline - System.nanoTime()) > 0) {
				try {
					this.signal.wait(Math.max(1, left / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					this.running = false;
				}
			}
		}
	}

	private MqttAsyncClient connect() throws MqttException {
		this.counters.attempts.increment();
		List<String> addresses = this.rotation.next();
		MqttAsyncClient client = new MqttAsyncClient(addresses.get(0), this.definition.effectiveClientId(),
				new MemoryPersistence());
		MqttConnectOptions options = RemoteClients.options(this.definition, addresses, this.password,
				this.socketFactory);
		this.connectionLost = false;
		client.setManualAcks(true);
		client.setCallback(new Callbacks(client));
		try {
			client.connect(options).waitForCompletion(this.definition.getConnectTimeout().toMillis() + 5_000);
		}
		catch (MqttException ex) {
			close(client);
			this.rotation.failed();
			throw ex;
		}
		this.rotation.connected(client.getCurrentServerURI());
		return client;
	}

	private void subscribe(MqttAsyncClient client) throws MqttException {
		List<TopicMapping> in = this.mappings.stream().filter((mapping) -> mapping.direction().in()).toList();
		if (in.isEmpty()) {
			return;
		}
		String[] filters = in.stream().map(TopicMapping::remoteFilter).toArray(String[]::new);
		int[] qos = in.stream().mapToInt(TopicMapping::qos).toArray();
		IMqttToken token = client.subscribe(filters, qos);
		token.waitForCompletion(this.definition.getConnectTimeout().toMillis());
		int[] granted = token.getGrantedQos();
		for (int i = 0; granted != null && i < granted.length && i < filters.length; i++) {
			if (granted[i] == 0x80) {
				logger.warn("Bridge '{}': the remote refused the subscription to '{}'", name(), filters[i]);
			}
		}
	}

	private void forward(MqttAsyncClient client) throws MqttException, InterruptedException {
		BridgeQueue source = this.queue;
		this.inFlight.clear();
		long cursor = source.head();
		IMqttActionListener acknowledged = new IMqttActionListener() {

			@Override
			public void onSuccess(IMqttToken token) {
				long sequence = (Long) token.getUserContext();
				source.remove(sequence);
				BridgeLink.this.removed.set(true);
				BridgeLink.this.inFlight.remove(sequence);
				BridgeLink.this.counters.forwarded.increment();
				wake();
			}

			@Override
			public void onFailure(IMqttToken token, Throwable failure) {
				// Stays queued; sent again after the next connect.
				BridgeLink.this.inFlight.remove((Long) token.getUserContext());
				wake();
			}

		};
		long lastCommitRequest = System.nanoTime();
		while (this.running && !this.paused && !this.connectionLost) {
			// A crash sends again what left the queue after its last commit: keep that short.
			if (System.nanoTime() - lastCommitRequest > COMMIT_INTERVAL_NANOS && this.removed.getAndSet(false)) {
				this.requestCommit.run();
				lastCommitRequest = System.nanoTime();
			}
			if (this.inFlight.size() >= this.definition.getInFlight()) {
				synchronized (this.signal) {
					if (this.inFlight.size() >= this.definition.getInFlight() && !this.connectionLost) {
						this.signal.wait(200);
					}
				}
				continue;
			}
			QueuedMessage message = source.next(cursor, 200);
			if (message == null) {
				continue;
			}
			cursor = message.sequence() + 1;
			MqttMessage out = new MqttMessage(message.payload());
			out.setQos(message.qos());
			out.setRetained(message.retain());
			if (comesBack(message.topic())) {
				this.echo.forwarded(message.topic(), message.payload());
			}
			this.inFlight.add(message.sequence());
			client.publish(message.topic(), out, message.sequence(), acknowledged);
		}
	}

	/** Whether the bridge's own subscriptions at the remote receive this topic again. */
	private boolean comesBack(String remoteTopic) {
		for (TopicMapping mapping : this.mappings) {
			if (mapping.incoming(remoteTopic) != null) {
				return true;
			}
		}
		return false;
	}

	private void arrived(MqttAsyncClient client, String topic, MqttMessage message) {
		String local = null;
		for (TopicMapping mapping : this.mappings) {
			local = mapping.incoming(topic);
			if (local != null) {
				break;
			}
		}
		byte[] payload = message.getPayload();
		if (local == null || this.echo.isEcho(topic, payload)) {
			acknowledge(client, message);
			return;
		}
		this.counters.received.increment();
		// Acknowledged to the remote only once it is stored here; else the remote sends it again.
		if (!this.inbound.publish(this, local, payload, message.getQos(), message.isRetained(),
				() -> acknowledge(client, message))) {
			this.connectionLost = true;
			this.lastError = "the hub is not running";
			wake();
		}
	}

	private void acknowledge(MqttAsyncClient client, MqttMessage message) {
		try {
			client.messageArrivedComplete(message.getId(), message.getQos());
		}
		catch (MqttException | RuntimeException ex) {
			// The connection is gone: the remote sends the message again.
		}
	}

	private void close(MqttAsyncClient client) {
		RemoteClients.close(client);
		this.echo.clear();
	}

	private void changeState(BridgeState next, String error) {
		BridgeState previous = this.state;
		this.state = next;
		boolean retrying = next == BridgeState.CONNECTING && previous == BridgeState.BACKING_OFF;
		boolean sameFailure = next == BridgeState.BACKING_OFF && this.loggedState == BridgeState.BACKING_OFF
				&& Objects.equals(error, this.loggedError);
		if (retrying || sameFailure || next == this.loggedState && next != BridgeState.BACKING_OFF) {
			return;
		}
		this.loggedState = next;
		this.loggedError = error;
		switch (next) {
			case CONNECTED -> logger.info("Bridge '{}': connected to {}", name(), this.connectedAddress);
			case BACKING_OFF -> logger.warn("Bridge '{}': {}; trying again with back-off", name(), error);
			case CONNECTING -> logger.info("Bridge '{}': connecting to {} ({})", name(), this.definition.getAddresses(),
					this.definition.getFailover().text());
			case PAUSED -> logger.info("Bridge '{}': paused, messages are queued", name());
			case STOPPED -> logger.info("Bridge '{}': {}", name(), this.definition.isEnabled() ? "stopped" : "disabled");
		}
		String shown = this.definition.isEnabled() ? next.name() : "DISABLED";
		this.status.accept(new BridgeStatus(name(), shown, Instant.now(),
				(this.blocked != null) ? this.blocked : error,
				(next == BridgeState.CONNECTED) ? this.connectedAddress : null, List.copyOf(this.definition.getAddresses())));
	}

	BridgeState state() {
		return this.state;
	}

	String lastError() {
		if (this.blocked != null) {
			return this.blocked;
		}
		return (this.state == BridgeState.BACKING_OFF || this.state == BridgeState.CONNECTING) ? this.lastError : null;
	}

	String connectedAddress() {
		return this.connectedAddress;
	}

	boolean paused() {
		return this.paused;
	}

	BridgeQueue queue() {
		return this.queue;
	}

	long forwarded() {
		return this.counters.forwarded.sum();
	}

	long received() {
		return this.counters.received.sum();
	}

	long attempts() {
		return this.counters.attempts.sum();
	}

	int inFlight() {
		return this.inFlight.size();
	}

	/** Paho's callbacks for one connection. */
	private final class Callbacks implements MqttCallback {

		private final MqttAsyncClient client;

		Callbacks(MqttAsyncClient client) {
			this.client = client;
		}

		@Override
		public void connectionLost(Throwable cause) {
			BridgeLink.this.lastError = "the connection to the remote was lost"
					+ ((cause != null) ? " (" + cause.getClass().getSimpleName() + ")" : "");
			BridgeLink.this.connectionLost = true;
			wake();
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			arrived(this.client, topic, message);
		}

		@Override
		public void deliveryComplete(IMqttDeliveryToken token) {
		}

	}

}

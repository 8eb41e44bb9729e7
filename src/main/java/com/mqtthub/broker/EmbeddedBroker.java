package com.mqtthub.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.moquette.broker.MoquetteCore;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.AcceptAllAuthenticator;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;

/**
 * The embedded MQTT broker, started and stopped with the application context: Moquette's
 * engine behind the hub's own listeners, authentication and authorization.
 * <p>
 * It starts before the web server and stops after it, so that the same-origin WebSocket relay
 * always has a broker to talk to.
 */
public class EmbeddedBroker implements SmartLifecycle {

	/** Before the web server (which starts in phase {@code DEFAULT_PHASE - 2048}). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	static final String TCP_LISTENER = "MQTT over TCP";

	static final String WEBSOCKET_LISTENER = "MQTT over WebSocket";

	static final String TLS_LISTENER = "MQTT over TLS";

	static final String SECURE_WEBSOCKET_LISTENER = "MQTT over secure WebSocket";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedBroker.class);

	private final BrokerProperties properties;

	private final MqttAuthenticator authenticator;

	private final MqttAuthorizer authorizer;

	private final ClientAddresses clientAddresses = new ClientAddresses();

	private final BrokerLimits limits;

	private final EngineLoops engineLoops;

	private volatile MoquetteCore core;

	private volatile MqttListeners listeners;

	private volatile SessionOwners owners;

	private volatile InflightStore inflight;

	private volatile RetainedQuota retainedQuota;

	private MqttConnectAuthentication authentication;

	/** Read at each start: the observers and taps are beans that themselves use this broker. */
	private final ObjectProvider<BrokerObserver> observers;

	private final ObjectProvider<PublishTap> taps;

	private volatile BrokerObserver observer = BrokerObserver.NONE;

	private volatile PublishTap publishTap = PublishTap.NONE;

	private volatile int tcpPort = -1;

	/** Where the same-origin relay connects in this process, or null when not running. */
	private volatile SocketAddress inProcessAddress;

	private volatile int webSocketPort = -1;

	private volatile int sslPort = -1;

	private volatile int secureWebSocketPort = -1;

	/** A broker that reports to no observer and hands messages to no tap. */
	public EmbeddedBroker(BrokerProperties properties, MqttAuthenticator authenticator, MqttAuthorizer authorizer) {
		this(properties, authenticator, authorizer, new StaticListableBeanFactory().getBeanProvider(BrokerObserver.class),
				new StaticListableBeanFactory().getBeanProvider(PublishTap.class));
	}

	/**
	 * @param observers told of broker events (at most one)
	 * @param taps see every published message (see {@link PublishTap}), in their order
	 */
	public EmbeddedBroker(BrokerProperties properties, MqttAuthenticator authenticator, MqttAuthorizer authorizer,
			ObjectProvider<BrokerObserver> observers, ObjectProvider<PublishTap> taps) {
		this.properties = properties;
		this.authenticator = authenticator;
		this.authorizer = authorizer;
		this.observers = observers;
		this.taps = taps;
		this.limits = new BrokerLimits(properties);
		this.engineLoops = new EngineLoops(properties.getLoopProbeTimeout());
	}

	@Override
	public synchronized void start() {
		if (this.core != null) {
			return;
		}
		HeapBudget.check(this.properties, Runtime.getRuntime().maxMemory());
		String host = this.properties.getHost();
		BrokerProperties.Tls tls = this.properties.getTls();
		// Built here, before anything listens: a bad keystore stops start-up with a clear message.
		SslContext sslContext = tls.isEnabled() ? TlsContextFactory.create(tls) : null;
		this.observer = this.observers.getIfUnique(() -> BrokerObserver.NONE);
		this.publishTap = PublishTap.all(this.taps.orderedStream().toList());
		MoquetteCore[] started = new MoquetteCore[1];
		SessionOwners[] owners = new SessionOwners[1];
		BrokerObserver events = this.observer;
		MoquetteCore moquette;
		try {
			// Credentials are checked before the engine sees a CONNECT (ProtocolGuard), so the
			// engine itself lets every CONNECT it gets in.
			moquette = MoquetteCore.start(new MemoryConfig(MoquetteSettings.from(this.properties, true)),
					List.of(new RoutedMessages(events)),
					new AcceptAllAuthenticator(), MoquetteSecurity.authorizatorPolicy(this.authorizer,
							(clientId) -> {
								events.denied(clientId);
								closeAfterDeniedPublish(started[0], clientId);
							}),
					deliveryCheck(new DeliveryRules(() -> owners[0], this.authorizer, events::deliveryDenied),
							this.publishTap),
					new MoquetteCore.QueueLimits(this.limits.maxQueuedMessages(), this.limits.maxQueuedBytes(),
							this.limits::droppedForFullQueue, this.limits::droppedForQueuedBytes,
							this.limits.maxQueuedBytesInMemory(), this.limits::droppedForQueuedBytesInMemory));
			started[0] = moquette;
			this.engineLoops.watch(moquette);
			owners[0] = new SessionOwners(moquette.storedMap("session_owners"), moquette.storedSessionIds());
			tap(moquette, this.publishTap);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The MQTT broker could not open its data directory "
					+ this.properties.getDataDirectory().toAbsolutePath() + ": " + ex.getMessage(), ex);
		}
		MqttConnectAuthentication connectAuthentication = new MqttConnectAuthentication(this.authenticator);
		InflightStore inflightStore = new InflightStore(moquette.storedMap("inflight"));
		RetainedQuota quota = new RetainedQuota(moquette.storedMap("retained_ledger"), this.properties.getRetained(),
				this.properties.effectiveRetainedMaxBytes(Runtime.getRuntime().maxMemory()).toBytes(), this.limits);
		quota.reconcile(moquette.retainedCount(), moquette.retainedTopics(),
				(topic) -> moquette.retainedMessage(topic).getPayload().length);
		moquette.governRetained(quota);
		this.retainedQuota = quota;
		BrokerProperties.BackPressure backPressure = this.properties.getBackPressure();
		if (backPressure.isEnabled()) {
			pressPublishers(moquette, backPressure);
		}
		MqttListeners network = new MqttListeners(new ConnectionServices(moquette, connectAuthentication,
				this.authorizer, this.clientAddresses, this.limits, MoquetteSettings.maxMessageBytes(this.properties),
				owners[0], inflightStore, quota), this.properties.getConnectTimeout(),
				backPressure.isEnabled() ? backPressure.getMaxPause() : null);
		this.owners = owners[0];
		this.inflight = inflightStore;
		network.observe(events);
		try {
			BrokerProperties.WebSocket webSocket = this.properties.getWebsocket();
			int maxFrame = MoquetteSettings.maxFrameBytes(this.properties);
			this.tcpPort = bind(TCP_LISTENER, host, this.properties.getPort(), "mqtthub.broker.port",
					() -> network.bindTcp(host, this.properties.getPort(), null));
			this.inProcessAddress = bindInProcess(network);
			if (webSocket.isEnabled()) {
				this.webSocketPort = bind(WEBSOCKET_LISTENER, host, webSocket.getPort(),
						"mqtthub.broker.websocket.port",
						() -> network.bindWebSocket(host, webSocket.getPort(), webSocket.getPath(), maxFrame,
								webSocket.getAllowedOrigins(), null));
			}
			if (sslContext != null) {
				this.sslPort = bind(TLS_LISTENER, host, tls.getSslPort(), "mqtthub.broker.tls.ssl-port",
						() -> network.bindTcp(host, tls.getSslPort(), sslContext));
				this.secureWebSocketPort = bind(SECURE_WEBSOCKET_LISTENER, host, tls.getWssPort(),
						"mqtthub.broker.tls.wss-port", () -> network.bindWebSocket(host, tls.getWssPort(),
								webSocket.getPath(), maxFrame, webSocket.getAllowedOrigins(), sslContext));
			}
		}
		catch (RuntimeException ex) {
			network.close();
			connectAuthentication.shutdown();
			this.engineLoops.stop();
			moquette.stop();
			resetPorts();
			throw ex;
		}
		// The stores have created their files by now: readable by this user only.
		DataDirectory.restrictContents(this.properties.getDataDirectory());
		this.core = moquette;
		this.listeners = network;
		this.authentication = connectAuthentication;
		announce(host);
	}

	/** Water marks as shares of the queue caps (see {@link BackPressure}). */
	private void pressPublishers(MoquetteCore moquette, BrokerProperties.BackPressure backPressure) {
		int maxMessages = this.limits.maxQueuedMessages();
		long maxBytes = this.limits.maxQueuedBytes();
		int high = backPressure.getHighWaterPercent();
		int low = backPressure.getLowWaterPercent();
		BackPressure pressure = new BackPressure();
		moquette.pressPublishers((int) ((long) maxMessages * high / 100), share(maxBytes, high),
				(int) ((long) maxMessages * low / 100), share(maxBytes, low),
				share(this.limits.maxQueuedBytesInMemory(), high), backPressure.getMaxPause(), pressure);
		moquette.pressSheddingPublishers(new SheddingBackPressure(this.limits.slowClientBufferBytes(),
				backPressure.getMaxPause().toNanos(), pressure));
	}

	private static long share(long bytes, int percent) {
		return (bytes > Long.MAX_VALUE / 100) ? bytes / 100 * percent : bytes * percent / 100;
	}

	private void announce(String host) {
		String path = this.properties.getWebsocket().getPath();
		logger.info("{} on {}:{}", TCP_LISTENER, host, this.tcpPort);
		if (this.webSocketPort >= 0) {
			logger.info("{} on ws://{}:{}{}", WEBSOCKET_LISTENER, host, this.webSocketPort, path);
		}
		if (this.sslPort >= 0) {
			logger.info("{} on ssl://{}:{}", TLS_LISTENER, host, this.sslPort);
			logger.info("{} on wss://{}:{}{}", SECURE_WEBSOCKET_LISTENER, host, this.secureWebSocketPort, path);
		}
		else {
			logger.info("MQTT over TLS is off: set mqtthub.broker.tls.keystore to turn it on");
		}
		logger.info("Anonymous MQTT clients are {}", this.authenticator.allowsAnonymous() ? "allowed" : "refused");
		logger.info("MQTT data directory {} (persistence {})", this.properties.getDataDirectory().toAbsolutePath(),
				this.properties.isPersistence() ? "on" : "off");
	}

	/**
	 * Stops in order: no new connections; work in flight (acknowledgements waiting for the
	 * store, data not yet written to clients) gets up to {@code mqtthub.broker.shutdown-timeout}
	 * to finish; then the clients are disconnected and the store is closed.
	 */
	@Override
	public synchronized void stop() {
		MoquetteCore running = this.core;
		if (running == null) {
			return;
		}
		long start = System.nanoTime();
		this.core = null;
		MqttListeners network = this.listeners;
		this.listeners = null;
		network.stopAccepting();
		int open = network.openConnections();
		logger.info("Stopping the MQTT broker: no new connections; {} open, waiting up to {} for work in flight",
				open, DurationStyle.SIMPLE.print(this.properties.getShutdownTimeout()));
		boolean settled = awaitSettled(running, network);
		if (!settled) {
			logger.warn("Work still in flight after {}; closing the connections anyway",
					DurationStyle.SIMPLE.print(this.properties.getShutdownTimeout()));
		}
		network.close();
		this.authentication.shutdown();
		this.authentication = null;
		this.engineLoops.stop();
		running.stop();
		resetPorts();
		logger.info("MQTT broker stopped in {} ms ({} connections closed, state saved)",
				Duration.ofNanos(System.nanoTime() - start).toMillis(), open);
	}

	private boolean awaitSettled(MoquetteCore running, MqttListeners network) {
		long deadline = System.nanoTime() + this.properties.getShutdownTimeout().toNanos();
		while (running.pendingCommits() > 0 || !network.allWritten()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return true;
	}

	private void resetPorts() {
		this.tcpPort = -1;
		this.inProcessAddress = null;
		this.webSocketPort = -1;
		this.sslPort = -1;
		this.secureWebSocketPort = -1;
	}

	@Override
	public boolean isRunning() {
		return this.core != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private static void tap(MoquetteCore moquette, PublishTap tap) {
		if (tap == PublishTap.NONE) {
			return;
		}
		tap.storeOpened(new PublishTap.Store() {

			@Override
			public java.util.Map<Long, byte[]> map(String name) {
				return moquette.storedMap(name);
			}

			@Override
			public void afterCommit(Runnable action) {
				moquette.afterCommit(action);
			}

		});
		moquette.tapPublishes(tap::published, tap::wantsMessages);
	}

	private static MoquetteCore.DeliveryCheck deliveryCheck(DeliveryRules rules, PublishTap tap) {
		return (clientId, filter, topic) -> tap.mayDeliver(clientId, topic) && rules.mayDeliver(clientId, filter, topic);
	}

	/**
	 * Publishes a message that came from outside the hub's clients (a bridge): it is routed and
	 * reported like {@link #publish}, but not handed to the {@link PublishTap}; the caller hands
	 * it on itself, to whom it chooses.
	 * @param stored runs once the message, and what it caused to be stored, is on disk
	 * @return false when the broker is not running (then {@code stored} never runs)
	 */
	public boolean publishFromOutside(String topic, byte[] payload, int qos, boolean retain, Runnable stored) {
		MoquetteCore running = this.core;
		if (running == null) {
			return false;
		}
		route(running, topic, payload, qos, retain);
		running.afterCommit(stored);
		return true;
	}

	/** Whether the broker runs and every one of its listeners is open. */
	public synchronized boolean listenersUp() {
		return this.core != null && this.listeners != null && this.listeners.allOpen();
	}

	/** How many retained messages are stored, counted without loading them (0 when not running). */
	public long retainedCount() {
		MoquetteCore running = this.core;
		return (running != null) ? running.retainedCount() : 0;
	}

	/**
	 * One page of the retained messages on topics that {@code filter} matches, sorted by topic:
	 * the topics are listed from the account of retained messages first, then only the page's
	 * messages are loaded (empty when not running).
	 * @param after the last topic of the previous page, or null for the first page
	 */
	public List<RetainedEntry> retained(String filter, String after, int limit) {
		MoquetteCore running = this.core;
		RetainedQuota quota = this.retainedQuota;
		if (running == null || quota == null) {
			return List.of();
		}
		List<RetainedEntry> page = new java.util.ArrayList<>();
		for (String topic : quota.topics(MoquetteCore::retainedMatch, filter, after, limit)) {
			io.moquette.broker.RetainedMessage message = running.retainedMessage(topic);
			// Deleted since it was listed: the page is one shorter.
			if (message != null) {
				page.add(new RetainedEntry(topic, message.qosLevel().value(), message.getPayload()));
			}
		}
		return page;
	}

	/** The topics with a retained message that {@code filter} matches, sorted; no payload is loaded. */
	public List<String> retainedTopics(String filter) {
		RetainedQuota quota = this.retainedQuota;
		if (this.core == null || quota == null) {
			return List.of();
		}
		return quota.topics(MoquetteCore::retainedMatch, filter, null, Integer.MAX_VALUE);
	}

	/**
	 * Removes the retained messages of these topics (no wildcards) and returns once that is on
	 * disk (or after a few seconds), so that a crash right after cannot bring them back.
	 */
	public void deleteRetained(List<String> topics) {
		MoquetteCore running = this.core;
		if (running == null) {
			return;
		}
		topics.forEach(running::cleanRetained);
		CountDownLatch committed = new CountDownLatch(1);
		running.afterCommit(committed::countDown);
		try {
			committed.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Publishes a message as the broker itself (it bypasses the topic rules: callers check who
	 * asks). A retained message with an empty payload removes the retained message of the topic.
	 * @return false when the broker is not running
	 */
	public boolean publish(String topic, byte[] payload, int qos, boolean retain) {
		MoquetteCore running = this.core;
		if (running == null) {
			return false;
		}
		this.publishTap.published("", topic, payload, qos, retain);
		route(running, topic, payload, qos, retain);
		return true;
	}

	private void route(MoquetteCore running, String topic, byte[] payload, int qos, boolean retain) {
		io.netty.handler.codec.mqtt.MqttPublishMessage message = io.netty.handler.codec.mqtt.MqttMessageBuilders
			.publish()
			.topicName(topic)
			.qos(io.netty.handler.codec.mqtt.MqttQoS.valueOf(qos))
			.retained(retain)
			.payload(io.netty.buffer.Unpooled.wrappedBuffer(payload))
			.build();
		RoutedMessages.report(this.observer, topic, message.payload(), qos, retain);
		running.internalPublish(message, RetainedQuota.BROKER);
	}

	/**
	 * Closes the connection of a client (its session stays when it asked for one).
	 * @return false when no client with that id is connected
	 */
	public boolean disconnect(String clientId) {
		MoquetteCore running = this.core;
		return running != null && running.disconnectClient(clientId);
	}

	/**
	 * Deletes a session for good, connected or not: its subscriptions, queued and in-flight
	 * messages and its owner, so that its client id is free for anyone.
	 * @return false when the broker has no session with that client id
	 */
	public boolean deleteSession(String clientId) {
		MoquetteCore running = this.core;
		if (running == null) {
			return false;
		}
		boolean existed = running.deleteSession(clientId).join();
		this.owners.forget(clientId);
		this.inflight.forget(clientId);
		return existed;
	}

	/** Closes every MQTT connection logged in with this user name; returns how many. */
	public int disconnectUser(String username) {
		MqttListeners network = this.listeners;
		return (network != null && username != null) ? network.closeConnectionsOf(username) : 0;
	}

	/** The bound MQTT over TCP port, or -1 when the broker is not running. */
	public int getTcpPort() {
		return this.tcpPort;
	}

	/** The bound MQTT over WebSocket port, or -1 when that listener is off or not running. */
	public int getWebSocketPort() {
		return this.webSocketPort;
	}

	/** The bound MQTT over TLS port, or -1 when TLS is off or the broker is not running. */
	public int getSslPort() {
		return this.sslPort;
	}

	/** The bound MQTT over secure WebSocket port, or -1 when TLS is off or the broker is not running. */
	public int getSecureWebSocketPort() {
		return this.secureWebSocketPort;
	}

	/**
	 * The address of the in-process listener ({@code LocalChannel}, no socket) with the TCP
	 * listener's pipeline, where the same-origin relay connects; null when the broker is not
	 * running.
	 */
	public SocketAddress getInProcessAddress() {
		return this.inProcessAddress;
	}

	/** Connection counts, the limits and what they dropped. */
	public BrokerLimits getLimits() {
		return this.limits;
	}

	/** The engine's session loops: failed tasks and loops that do not answer. */
	public EngineLoops getEngineLoops() {
		return this.engineLoops;
	}

	/** Where connections relayed from the web port register the address of the client behind them. */
	public ClientAddresses getClientAddresses() {
		return this.clientAddresses;
	}

	public BrokerProperties getProperties() {
		return this.properties;
	}

	/** Port binding as one step, so that a taken port becomes one clear sentence. */
	private interface Binding {

		int bind() throws InterruptedException;

	}

	private static SocketAddress bindInProcess(MqttListeners network) {
		try {
			return network.bindLocal();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("The in-process MQTT listener was interrupted while binding", ex);
		}
	}

	private static boolean isAddressInUse(Exception ex) {
		// NIO reports a BindException; epoll an IOException carrying the system's message.
		return ex instanceof BindException
				|| (ex instanceof IOException && String.valueOf(ex.getMessage()).contains("Address already in use"));
	}

	private static int bind(String listener, String host, int port, String property, Binding binding) {
		try {
			return binding.bind();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(listener + " was interrupted while binding " + host + ":" + port, ex);
		}
		catch (Exception ex) {
			if (isAddressInUse(ex)) {
				throw new ListenerPortInUseException(listener, host, port, property, ex);
			}
			throw new IllegalStateException(listener + " could not listen on " + host + ":" + port + ": "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * The engine drops a denied PUBLISH without acknowledging it, which leaves a QoS 1 or 2
	 * sender waiting forever. MQTT 3.1.1 (MQTT-3.3.5-2) lets a server either acknowledge such a
	 * PUBLISH or close the connection; the engine cannot be made to acknowledge it, so the
	 * connection is closed, and the client learns that its message was refused.
	 */
	private static void closeAfterDeniedPublish(MoquetteCore moquette, String clientId) {
		if (moquette == null) {
			return;
		}
		CompletableFuture.runAsync(() -> {
			if (moquette.disconnectClient(clientId)) {
				logger.info("Closed the connection of MQTT client '{}' after a denied PUBLISH",
						clientId.replaceAll("\\p{Cntrl}", "?"));
			}
		});
	}

}

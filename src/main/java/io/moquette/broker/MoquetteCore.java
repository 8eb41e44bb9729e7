package io.moquette.broker;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.moquette.BrokerConstants;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.CTrieSubscriptionDirectory;
import io.moquette.broker.subscriptions.ISubscriptionsDirectory;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.BrokerInterceptor;
import io.moquette.interception.InterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.moquette.persistence.H2Builder;
import io.moquette.persistence.MemorySessionsRepository;
import io.moquette.persistence.MemorySubscriptionsRepository;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.LoggerFactory;

/**
 * Moquette's MQTT engine (sessions, routing, persistence) without its network acceptor, so that
 * the hub builds the Netty pipelines itself and puts its own handlers in front of Moquette's.
 * <p>
 * This is the one class that lives in Moquette's package, because the parts it assembles are
 * package-private there; it follows {@code Server.startServer}/{@code stopServer} of the pinned
 * Moquette version and exposes only what the hub needs. Everything else talks to the hub's types.
 */
public final class MoquetteCore {

	private final ScheduledExecutorService scheduler;

	private final H2Builder store;

	/** Commits the store for waiting acknowledgements; null when nothing is persisted. */
	private final StoreCommitter committer;

	private final BoundedQueueRepository queues;

	private final BrokerInterceptor interceptor;

	private final SessionRegistry sessions;

	private final PostOffice postOffice;

	private final IRetainedRepository retained;

	private final NewNettyMQTTHandler mqttHandler;

	private final SessionEventLoopGroup loops;

	/** Whether a {@link PublishListener} is set: commits must then wait for it. */
	private volatile boolean publishesTapped;

	/** The store itself, for maps of the hub's own (null when nothing is persisted). */
	private final MVStore mvStore;

	private final MoquetteIdleTimeoutHandler idleTimeoutHandler = new MoquetteIdleTimeoutHandler();

	private final int bufferFlushMillis;

	/** Where a session keeps its queue; the field is final, so only reflection can wrap it. */
	private static final Field SESSION_QUEUE = sessionQueueField();

	private static Field sessionQueueField() {
		try {
			Field field = Session.class.getDeclaredField("sessionQueue");
			field.setAccessible(true);
			return field;
		}
		catch (NoSuchFieldException ex) {
			throw new IllegalStateException("This version of the broker engine keeps session queues elsewhere", ex);
		}
	}

	private MoquetteCore(IConfig config, List<InterceptHandler> interceptHandlers, IAuthenticator authenticator,
			IAuthorizatorPolicy authorizatorPolicy, int maxQueuedMessages, Runnable onQueueDrop) throws IOException {
		this.scheduler = Executors.newScheduledThreadPool(1);
		this.interceptor = new BrokerInterceptor(config, List.copyOf(interceptHandlers));
		ISessionsRepository sessionsRepository;
		ISubscriptionsRepository subscriptionsRepository;
		IRetainedRepository retainedRepository;
		Clock clock = Clock.systemDefaultZone();
		if (config.boolProp(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, true)) {
			Path dataPath = Path.of(config.getProperty(IConfig.DATA_PATH_PROPERTY_NAME));
			Files.createDirectories(dataPath);
			int autosaveInterval = config.intProp(BrokerConstants.AUTOSAVE_INTERVAL_PROPERTY_NAME, 30);
			this.store = new H2Builder(this.scheduler, dataPath, autosaveInterval, clock).initStore();
			MVStore mvStore = mvStoreOf(this.store);
			this.mvStore = mvStore;
			this.committer = new StoreCommitter(mvStore);
			// Offline queues live in the same store as sessions, subscriptions and retained
			// messages, so that one commit makes everything acknowledged so far durable.
			this.queues = new BoundedQueueRepository(this.store.queueRepository(), maxQueuedMessages,
					(clientId) -> storedQueueSize(mvStore, clientId), onQueueDrop, true);
			subscriptionsRepository = this.store.subscriptionsRepository();
			retainedRepository = this.store.retainedRepository();
			sessionsRepository = this.store.sessionsRepository();
			giveStoredSessionsAnExpiry(sessionsRepository);
		}
		else {
			this.store = null;
			this.mvStore = null;
			this.committer = null;
			this.queues = new BoundedQueueRepository(new MemoryQueueRepository(), maxQueuedMessages,
					(clientId) -> 0, onQueueDrop, false);
			subscriptionsRepository = new MemorySubscriptionsRepository();
			retainedRepository = new MemoryRetainedRepository();
			sessionsRepository = new MemorySessionsRepository();
		}
		this.retained = retainedRepository;
		ISubscriptionsDirectory subscriptions = new CTrieSubscriptionDirectory();
		subscriptions.init(subscriptionsRepository);
		Authorizator authorizator = new Authorizator(authorizatorPolicy);
		int sessionQueueSize = config.intProp(IConfig.SESSION_QUEUE_SIZE, 1024);
		SessionEventLoopGroup loops = new SessionEventLoopGroup(this.interceptor, sessionQueueSize);
		this.loops = loops;
		this.sessions = new SessionRegistry(subscriptions, sessionsRepository, this.queues, authorizator,
				this.scheduler, clock, Session.INFINITE_EXPIRY, loops);
		this.postOffice = new PostOffice(subscriptions, retainedRepository, this.sessions, this.interceptor,
				authorizator, loops);
		BrokerConfiguration brokerConfig = new BrokerConfiguration(config);
		this.bufferFlushMillis = brokerConfig.getBufferFlushMillis();
		this.mqttHandler = new NewNettyMQTTHandler(
				new MQTTConnectionFactory(brokerConfig, authenticator, this.sessions, this.postOffice));
	}

	/**
	 * Opens the store and starts the session loops.
	 * @param config Moquette settings (listener settings are ignored: the hub listens itself)
	 */
	public static MoquetteCore start(IConfig config, List<InterceptHandler> interceptHandlers,
			IAuthenticator authenticator, IAuthorizatorPolicy authorizatorPolicy, int maxQueuedMessages,
			Runnable onQueueDrop) throws IOException {
		return new MoquetteCore(config, interceptHandlers, authenticator, authorizatorPolicy, maxQueuedMessages,
				onQueueDrop);
	}

	/** Messages in a session's stored queue: the engine keeps its head and tail indexes beside it. */
	private static long storedQueueSize(MVStore store, String clientId) {
		String meta = "queue_" + clientId + "_meta";
		if (!store.hasMap(meta)) {
			return 0;
		}
		MVMap<String, Long> indexes = store.openMap(meta);
		Long head = indexes.get("head");
		Long tail = indexes.get("tail");
		return (head != null && tail != null) ? Math.max(0, head - tail) : 0;
	}

	/**
	 * Caps the queue of a clean session too: the engine gives those an unbounded in-memory
	 * queue of its own making, which a subscriber slower than its publishers fills without end.
	 * Must run on the client's session loop (see {@link #afterQueuedCommands}), after its CONNECT.
	 */
	public void capSessionQueue(String clientId) {
		Session session = this.sessions.retrieve(clientId);
		if (session == null) {
			return;
		}
		try {
			@SuppressWarnings("unchecked")
			SessionMessageQueue<SessionRegistry.EnqueuedMessage> queue = (SessionMessageQueue<SessionRegistry.EnqueuedMessage>) SESSION_QUEUE
				.get(session);
			SESSION_QUEUE.set(session, this.queues.bound(queue));
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("The session queue of the broker engine cannot be capped", ex);
		}
	}

	/**
	 * A map of the hub's own in the engine's store, committed together with everything else
	 * (in memory when nothing is persisted). Keys iterate in ascending order.
	 */
	public Map<Long, byte[]> storedMap(String name) {
		if (this.mvStore == null) {
			return new ConcurrentSkipListMap<>();
		}
		return this.mvStore.openMap("mqtthub_" + name);
	}

	/** Removes a map made by {@link #storedMap}. */
	public void removeStoredMap(String name) {
		if (this.mvStore != null && this.mvStore.hasMap("mqtthub_" + name)) {
			this.mvStore.removeMap("mqtthub_" + name);
		}
	}

	/** Receives every message a client published once it passed authorization and was routed. */
	public interface PublishListener {

		/**
		 * Called on the engine's notification thread (one thread, in the order the messages
		 * were routed). What it writes with {@link #storedMap} is committed before the
		 * PUBACK / PUBREC of the message is sent.
		 * @param clientId the client that published it
		 */
		void published(String clientId, String topic, byte[] payload, int qos, boolean retain);

	}

	/**
	 * Hands every published message to {@code listener}, and from now on makes each commit wait
	 * until the listener has seen every message whose acknowledgement that commit releases.
	 * <p>
	 * The engine acknowledges a PUBLISH and only then notifies its interceptors, on their own
	 * thread. So before each commit, every session loop runs the commands queued so far (which
	 * ends the processing of each acknowledged PUBLISH and hands its notification over), and
	 * then the single notification thread runs everything handed to it so far.
	 */
	public void tapPublishes(PublishListener listener) {
		ExecutorService notifications = notificationExecutor(this.interceptor);
		this.interceptor.addInterceptHandler(new AbstractInterceptHandler() {

			@Override
			public String getID() {
				return "mqtthub-publish-tap";
			}

			@Override
			public Class<?>[] getInterceptedMessageTypes() {
				return new Class<?>[] { InterceptPublishMessage.class };
			}

			@Override
			public void onPublish(InterceptPublishMessage message) {
				ByteBuf payload = message.getPayload();
				try {
					byte[] bytes = new byte[payload.readableBytes()];
					payload.getBytes(payload.readerIndex(), bytes);
					listener.published(message.getClientID(), message.getTopicName(), bytes,
							message.getQos().value(), message.isRetainFlag());
				}
				finally {
					payload.release();
				}
			}

			@Override
			public void onSessionLoopError(Throwable error) {
			}

		});
		this.publishesTapped = true;
		if (this.committer != null) {
			List<String> loopKeys = oneKeyPerSessionLoop();
			this.committer.beforeEachCommit(() -> drainPublishPath(loopKeys, notifications));
		}
	}

	/** Names that the engine maps to each of its session loops, one per loop. */
	private List<String> oneKeyPerSessionLoop() {
		int count = this.loops.getEventLoopCount();
		String[] keys = new String[count];
		int found = 0;
		for (int i = 0; found < count && i < 100_000; i++) {
			String key = "mqtthub-commit-barrier-" + i;
			int loop = this.loops.targetQueueOrdinal(key);
			if (keys[loop] == null) {
				keys[loop] = key;
				found++;
			}
		}
		if (found < count) {
			throw new IllegalStateException("No name reaches every session loop of the broker engine");
		}
		return List.of(keys);
	}

	private void drainPublishPath(List<String> loopKeys, ExecutorService notifications) {
		try {
			List<CompletableFuture<?>> loopsDone = new ArrayList<>();
			for (String key : loopKeys) {
				loopsDone.add(routeBarrier(key));
			}
			CompletableFuture.allOf(loopsDone.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
			notifications.submit(() -> {
			}).get(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			// Never let this stop the commit: the acknowledgements waiting for it would be lost.
			LoggerFactory.getLogger(MoquetteCore.class)
				.warn("The broker engine did not finish its publish work in time before a commit: {}", ex.toString());
		}
	}

	private CompletableFuture<?> routeBarrier(String key) throws InterruptedException {
		for (int attempt = 0; attempt < 1000; attempt++) {
			PostOffice.RouteResult result = this.loops.routeCommand(key, "commit barrier", () -> null);
			if (result.isSuccess()) {
				return result.completableFuture();
			}
			// The loop's queue is full: it is busy, try again in a moment.
			Thread.sleep(5);
		}
		return CompletableFuture.completedFuture(null);
	}

	/**
	 * The interceptor's executor: its notifications must run on one thread, in order, for a
	 * task handed to it to run after every notification handed to it before.
	 */
	private static ExecutorService notificationExecutor(BrokerInterceptor interceptor) {
		try {
			Field field = BrokerInterceptor.class.getDeclaredField("executor");
			field.setAccessible(true);
			ExecutorService executor = (ExecutorService) field.get(interceptor);
			if (!(executor instanceof ThreadPoolExecutor pool) || pool.getMaximumPoolSize() != 1) {
				throw new IllegalStateException("The broker engine notifies on more than one thread");
			}
			return executor;
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("This version of the broker engine notifies elsewhere", ex);
		}
	}

	/** Work waiting for a store commit (acknowledgements not yet sent). */
	public int pendingCommits() {
		return (this.committer != null) ? this.committer.pending() : 0;
	}

	/**
	 * A session is stored without an expiry while its client is connected, and gets one when
	 * the connection ends or the engine stops cleanly. After a crash some have none, and the
	 * engine refuses to start with such sessions; they are given the expiry they would have had.
	 */
	private static void giveStoredSessionsAnExpiry(ISessionsRepository sessions) {
		for (ISessionsRepository.SessionData session : sessions.list()) {
			if (session.expireAt().isEmpty()) {
				sessions.saveSession(session.withExpirationComputed());
			}
		}
	}

	/**
	 * The store behind the repositories. H2Builder keeps it to itself; it is read once here so
	 * that acknowledgements can wait for a commit (checked at start-up against the pinned version).
	 */
	private static MVStore mvStoreOf(H2Builder builder) {
		try {
			Field field = H2Builder.class.getDeclaredField("mvStore");
			field.setAccessible(true);
			return (MVStore) field.get(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("This version of the broker engine keeps its store elsewhere", ex);
		}
	}

	/**
	 * Runs {@code action} once everything the engine has stored so far is committed to disk (at
	 * once when nothing is persisted). Commits are shared by all actions waiting at the time.
	 */
	public void afterCommit(Runnable action) {
		if (this.committer == null) {
			action.run();
			return;
		}
		EventExecutor current = this.publishesTapped ? ThreadExecutorMap.currentExecutor() : null;
		if (current != null) {
			// Asked from a connection's event loop: the engine may be in the middle of a QoS 2
			// PUBLISH there (it completes those on whichever thread finishes the session
			// command), with its notification still to come. The request joins the commit line
			// once the current task, notification included, is done.
			current.execute(() -> this.committer.afterCommit(action));
		}
		else {
			this.committer.afterCommit(action);
		}
	}

	/**
	 * The engine's protocol handler (sharable). It expects decoded MQTT messages and is driven
	 * by the hub's own last handler, which calls it directly.
	 */
	public ChannelInboundHandler mqttHandler() {
		return this.mqttHandler;
	}

	/**
	 * Closes a connection when its {@link io.netty.handler.timeout.IdleStateHandler}, which must be
	 * named {@code idleStateHandler} (Moquette re-creates it by that name with the client's
	 * keep-alive), reports it idle (sharable).
	 */
	public ChannelHandler idleTimeoutHandler() {
		return this.idleTimeoutHandler;
	}

	/** Milliseconds between automatic flushes, 0 to flush each write, -1 never. */
	public int bufferFlushMillis() {
		return this.bufferFlushMillis;
	}

	/**
	 * Runs {@code task} on the client's session loop after every command already queued there
	 * (e.g. the processing of its CONNECT).
	 * @return false when the session loop refused the task (its queue is full)
	 */
	public boolean afterQueuedCommands(String clientId, Runnable task) {
		return this.postOffice.routeCommand(clientId, "hub", () -> {
			task.run();
			return null;
		}).isSuccess();
	}

	public Collection<ClientDescriptor> listConnectedClients() {
		return this.sessions.listConnectedClients();
	}

	public boolean disconnectClient(String clientId) {
		return this.sessions.dropSession(clientId, false);
	}

	/** The retained messages on topics that {@code filter} matches. */
	public List<RetainedMessage> retainedOnTopic(String filter) {
		return this.retained.retainedOnTopic(filter);
	}

	/** Removes the retained message of one topic (no wildcards). */
	public void cleanRetained(String topic) {
		this.retained.cleanRetained(new io.moquette.broker.subscriptions.Topic(topic));
	}

	/** Publishes as the broker itself; the payload is released. */
	public RoutingResults internalPublish(MqttPublishMessage message) {
		try {
			return this.postOffice.internalPublish(message);
		}
		finally {
			message.payload().release();
		}
	}

	/** Stops the session loops and closes the store; the network side must be closed first. */
	public void stop() {
		// Each step runs even when one before it fails: the store must be closed (and its file
		// lock released) for the engine to start again on the same data.
		step(() -> {
			if (this.committer != null) {
				this.committer.stop();
			}
		});
		step(this.scheduler::shutdownNow);
		step(this.sessions::close);
		step(() -> {
			if (this.store != null) {
				this.store.closeStore();
			}
		});
		step(this.interceptor::stop);
		step(this.postOffice::terminate);
		try {
			this.scheduler.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void step(Runnable step) {
		try {
			step.run();
		}
		catch (RuntimeException ex) {
			LoggerFactory.getLogger(MoquetteCore.class).warn("Stopping the broker engine: {}", ex.toString(), ex);
		}
	}

}

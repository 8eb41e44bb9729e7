package io.moquette.broker;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.mqtthub.broker.MatchCache;
import com.mqtthub.security.LogSafe;
import io.moquette.BrokerConstants;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.CTrieSubscriptionDirectory;
import io.moquette.broker.subscriptions.ISubscriptionsDirectory;
import io.moquette.broker.subscriptions.Subscription;
import io.moquette.broker.subscriptions.Topic;
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
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInboundHandler;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
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

	/**
	 * The engine setting for how long, in microseconds, a commit shared by a few clients'
	 * acknowledgements waits for more to join it (see {@link StoreCommitter}); 0 by default.
	 */
	public static final String COMMIT_LINGER_MICROS = "mqtthub_commit_linger_micros";

	private final ScheduledExecutorService scheduler;

	private final H2Builder store;

	/** Commits the store for waiting acknowledgements; null when nothing is persisted. */
	private final StoreCommitter committer;

	private final BoundedQueueRepository queues;

	private final BrokerInterceptor interceptor;

	private final SessionRegistry sessions;

	private final CheckedSubscriptions subscriptions;

	private final PostOffice postOffice;

	private final IRetainedRepository retained;

	/**
	 * Decides whether each retained message is stored and keeps the hub's account of who owns
	 * what. Every retained write goes through {@link #storeRetained} / {@link #removeRetained},
	 * one at a time, so that the account and the repository never disagree.
	 */
	private volatile RetainedLedger retainedLedger = RetainedLedger.UNLIMITED;

	private final Object retainedWrites = new Object();

	/**
	 * Payloads of retained messages handed to the engine for a new subscription. The engine sends
	 * them at QoS 1 and 2 with RETAIN 0 (MQTT-3.3.1-8); the hub recognises them on their way out
	 * by their array, which every duplicate of the buffer the engine makes shares. Weak keys: a
	 * payload the engine never sends is forgotten with it.
	 */
	private final Set<byte[]> retainedForSubscription = Collections
		.newSetFromMap(Collections.synchronizedMap(new WeakHashMap<>()));

	/** Who subscribes on the current session loop thread: the engine asks for read access first. */
	private static final ThreadLocal<String[]> subscriber = new ThreadLocal<>();

	private final NewNettyMQTTHandler mqttHandler;

	private final SessionEventLoopGroup loops;

	/** Names that the engine maps to each of its session loops, one per loop, in loop order. */
	private final List<String> loopKeys;

	/** Told about every task that failed on a session loop (the guard has logged it already). */
	private volatile TaskFailureListener taskFailures = (loop, error) -> {
	};

	private final TaskFailureLog failureLog = new TaskFailureLog();

	/** Whether a {@link PublishListener} is set: commits must then wait for it. */
	private volatile boolean publishesTapped;

	/** Network event loops where the hub records messages in flight to subscribers. */
	private final Set<EventExecutor> deliveryLoops = ConcurrentHashMap.newKeySet();

	/** The store itself, for maps of the hub's own (null when nothing is persisted). */
	private final MVStore mvStore;

	/** The names the engine gives its per-connection timers. */
	private static final String KEEP_ALIVE_TIMER = "idleStateHandler";

	private static final String INFLIGHT_RESENDER = "inflightResender";

	/** The engine's resend tick (it holds nothing). */
	private static final InflightResender.ResendNotAckedPublishes RESEND_EVENT = new InflightResender.ResendNotAckedPublishes();

	private final int bufferFlushMillis;

	/** The map each retained repository keeps its messages in (ConcurrentMap or the store's MVMap). */
	private static final ClassValue<Field> RETAINED_MAP = new ClassValue<>() {
		@Override
		protected Field computeValue(Class<?> type) {
			for (Field field : type.getDeclaredFields()) {
				if (Map.class.isAssignableFrom(field.getType())) {
					field.setAccessible(true);
					return field;
				}
			}
			throw new IllegalStateException("This version of the broker engine keeps retained messages elsewhere: "
					+ type.getName());
		}
	};

	/** Where a session keeps its queue; the field is final, so only reflection can wrap it. */
	private static final Field SESSION_QUEUE = sessionQueueField();

	/** A session's connection, which the guard closes when a task of that session fails. */
	private static final Field SESSION_CONNECTION = declaredField(Session.class, "mqttConnection");

	/** The engine's sessions, for releasing what they hold when it stops. */
	private static final Field SESSION_POOL = declaredField(SessionRegistry.class, "pool");

	/** Messages a session sent and its client did not acknowledge yet (buffers the engine holds). */
	private static final Field SESSION_INFLIGHT = declaredField(Session.class, "inflightWindow");

	/** QoS 2 messages a session received and its client did not release yet. */
	private static final Field SESSION_QOS2_RECEIVING = declaredField(Session.class, "qos2Receiving");

	/** A session's subscriptions (the engine's own copy, besides its subscription tree). */
	private static final Field SESSION_SUBSCRIPTIONS = declaredField(Session.class, "subscriptions");

	/** When each in-flight message of a session is due to be sent again; only reflection reaches it. */
	private static final Field SESSION_TIMEOUTS = declaredField(Session.class, "inflightTimeouts");

	/**
	 * Whether a new session's in-flight notes can be made on first use on this JDK (see
	 * {@link EmptyUntilUsed.LazyDelayQueue}); if not, sessions keep the engine's own queue, which
	 * costs memory, not correctness.
	 */
	private static final boolean LAZY_TIMEOUTS = lazyTimeoutsOnThisJdk();

	private static boolean lazyTimeoutsOnThisJdk() {
		if (EmptyUntilUsed.LazyDelayQueue.complete()) {
			return true;
		}
		LoggerFactory.getLogger(MoquetteCore.class)
			.info("Sessions keep their own in-flight timers from the start on this JDK (its DelayQueue: {})",
					EmptyUntilUsed.LazyDelayQueue.missing());
		return false;
	}

	/** A connection's in-flight window as the last resend tick saw it (packet id to message). */
	private static final io.netty.util.AttributeKey<Map<Integer, Object>> RESEND_SEEN = io.netty.util.AttributeKey
		.valueOf(MoquetteCore.class, "resendSeen");

	/** The engine's packet id counter of a connection; only reflection can move it on. */
	private static final Field LAST_PACKET_ID = declaredField(MQTTConnection.class, "lastPacketId");

	/** Where the engine keeps a channel's connection. */
	private static final io.netty.util.AttributeKey<Object> CONNECTION = io.netty.util.AttributeKey.valueOf("connection");

	private static Field declaredField(Class<?> type, String name) {
		try {
			Field field = type.getDeclaredField(name);
			field.setAccessible(true);
			return field;
		}
		catch (NoSuchFieldException ex) {
			throw new IllegalStateException("This version of the broker engine has no " + type.getSimpleName() + "."
					+ name + ", which the hub needs", ex);
		}
	}

	/**
	 * Numbers the engine's next messages on {@code channel} after {@code packetId}, so that they
	 * do not reuse the id of a message the hub is sending again. Call before the connection's
	 * CONNACK is written.
	 */
	public void continuePacketIdsAfter(io.netty.channel.Channel channel, int packetId) {
		Object connection = channel.attr(CONNECTION).get();
		if (!(connection instanceof MQTTConnection) || packetId <= 0) {
			return;
		}
		try {
			((java.util.concurrent.atomic.AtomicInteger) LAST_PACKET_ID.get(connection)).set(packetId % 65535);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("The broker engine's packet ids cannot be moved on", ex);
		}
	}

	/** A QoS 1 or 2 message the engine holds as sent to a session and not yet acknowledged. */
	public record HeldMessage(int packetId, int qos, boolean retain, String topic, byte[] payload) {
	}

	/**
	 * The QoS 1 and 2 messages the engine holds as in flight for the session bound to
	 * {@code channel}, by packet id. The engine drops the write of such a message when the
	 * channel is not writable (or no longer open) and counts on resending it later; if the
	 * connection ends first, the message is in flight for the engine but never reached the
	 * connection's pipeline, and the hub's records do not know it. Call when the connection's
	 * CONNACK is written: the session loop has bound the session then and, until the connection
	 * completes, changes its window only for a late acknowledgement from the previous connection.
	 */
	public List<HeldMessage> heldInFlight(io.netty.channel.Channel channel) {
		Object connection = channel.attr(CONNECTION).get();
		String clientId = NettyUtils.clientID(channel);
		Session session = (clientId != null) ? this.sessions.retrieve(clientId) : null;
		if (!(connection instanceof MQTTConnection mqttConnection) || session == null
				|| !session.isBoundTo(mqttConnection)) {
			return List.of();
		}
		for (int attempt = 0; attempt < 3; attempt++) {
			try {
				Map<?, ?> window = (Map<?, ?>) SESSION_INFLIGHT.get(session);
				List<HeldMessage> held = new ArrayList<>();
				for (Map.Entry<?, ?> entry : window.entrySet()) {
					if (entry.getValue() instanceof SessionRegistry.PublishedMessage message
							&& message.publishingQos.value() > 0 && message.payload.refCnt() > 0) {
						held.add(new HeldMessage((Integer) entry.getKey(), message.publishingQos.value(),
								sentForNewSubscription(message.payload), message.topic.toString(),
								io.netty.buffer.ByteBufUtil.getBytes(message.payload)));
					}
				}
				return held;
			}
			catch (java.util.ConcurrentModificationException | io.netty.util.IllegalReferenceCountException ex) {
				// A late acknowledgement from the previous connection: look again.
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException("The broker engine's in-flight messages cannot be read", ex);
			}
		}
		return List.of();
	}

	/**
	 * Writes the QoS 1 and 2 messages in flight whose write the engine dropped, in the order it
	 * numbered them, before the engine goes on with its queue. The engine takes a message into
	 * its in-flight window, then writes it only if the channel is still writable; when the
	 * channel filled up in between (another write of its own, still on its way to the network
	 * thread), the message stays in the window unwritten until the resend tick, 5 to 10 s later
	 * and behind every newer message (MQTT-4.6.0-6: a topic's messages arrive in order). Call on
	 * the network thread when {@code channel} becomes writable again, before the engine hears of
	 * it: this runs on the session's loop ahead of the engine's own drain, and writes on the
	 * network thread after everything the loop wrote before.
	 * @param written whether a packet id was written on this connection (asked on the network
	 * thread): a message the client may have received is not written twice
	 */
	public void sendDroppedWrites(io.netty.channel.Channel channel, java.util.function.IntPredicate written) {
		Object connection = channel.attr(CONNECTION).get();
		String clientId = NettyUtils.clientID(channel);
		if (!(connection instanceof MQTTConnection mqttConnection) || clientId == null) {
			return;
		}
		this.postOffice.routeCommand(clientId, "dropped writes", () -> {
			Session session = this.sessions.retrieve(clientId);
			if (session == null || !session.isBoundTo(mqttConnection)) {
				return null;
			}
			Map<?, ?> window = (Map<?, ?>) SESSION_INFLIGHT.get(session);
			if (window.isEmpty()) {
				return null;
			}
			int last = ((java.util.concurrent.atomic.AtomicInteger) LAST_PACKET_ID.get(connection)).get();
			List<MqttPublishMessage> unwritten = new ArrayList<>();
			window.entrySet()
				.stream()
				.filter((entry) -> entry.getValue() instanceof SessionRegistry.PublishedMessage message
						&& message.publishingQos.value() > 0 && message.payload.refCnt() > 0)
				.sorted(java.util.Comparator
					.comparingInt((entry) -> Math.floorMod((Integer) entry.getKey() - last - 1, 65535)))
				.forEach((entry) -> {
					SessionRegistry.PublishedMessage message = (SessionRegistry.PublishedMessage) entry.getValue();
					unwritten.add(MQTTConnection.createNotRetainedPublishMessage(message.topic.toString(),
							message.publishingQos, message.payload.retainedDuplicate(), (Integer) entry.getKey()));
				});
			channel.eventLoop().execute(() -> writeUnwritten(channel, unwritten, written));
			return null;
		});
	}

	private static void writeUnwritten(io.netty.channel.Channel channel, List<MqttPublishMessage> messages,
			java.util.function.IntPredicate written) {
		boolean wrote = false;
		for (MqttPublishMessage message : messages) {
			if (channel.isActive() && !written.test(message.variableHeader().packetId())) {
				channel.write(message);
				wrote = true;
			}
			else {
				message.release();
			}
		}
		if (wrote) {
			channel.flush();
		}
	}

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
			IAuthorizatorPolicy authorizatorPolicy, DeliveryCheck deliveryCheck, QueueLimits queueLimits)
			throws IOException {
		this.scheduler = Executors.newScheduledThreadPool(1);
		List<InterceptHandler> handlers = new java.util.ArrayList<>(interceptHandlers);
		handlers.add(new RetainedInOrder(this));
		this.interceptor = new BrokerInterceptor(config, List.copyOf(handlers));
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
			this.committer = new StoreCommitter(mvStore,
					TimeUnit.MICROSECONDS.toNanos(Math.max(0, config.intProp(COMMIT_LINGER_MICROS, 0))));
			// Offline queues live in the same store as sessions, subscriptions and retained
			// messages, so that one commit makes everything acknowledged so far durable.
			this.queues = new BoundedQueueRepository(this.store.queueRepository(), queueLimits.maxMessages(),
					queueLimits.maxBytes(), queueLimits.maxBytesInMemory(), new StoredQueueSizes(mvStore),
					queueLimits.onFull(), queueLimits.onBytesFull(), queueLimits.onMemoryFull(), true, this.retainedForSubscription,
					mvStore.openMap("mqtthub_retained_marks"));
			subscriptionsRepository = this.store.subscriptionsRepository();
			retainedRepository = this.store.retainedRepository();
			sessionsRepository = new PersistentSessionsOnly(this.store.sessionsRepository());
			giveStoredSessionsAnExpiry(sessionsRepository);
		}
		else {
			this.store = null;
			this.mvStore = null;
			this.committer = null;
			this.queues = new BoundedQueueRepository(new MemoryQueueRepository(), queueLimits.maxMessages(),
					queueLimits.maxBytes(), queueLimits.maxBytesInMemory(), BoundedQueueRepository.IN_MEMORY,
					queueLimits.onFull(), queueLimits.onBytesFull(), queueLimits.onMemoryFull(), false, this.retainedForSubscription, Map.of());
			subscriptionsRepository = new MemorySubscriptionsRepository();
			retainedRepository = new MemoryRetainedRepository();
			sessionsRepository = new MemorySessionsRepository();
		}
		this.retained = retainedRepository;
		CheckedSubscriptions subscriptions = new CheckedSubscriptions(new CTrieSubscriptionDirectory(),
				deliveryCheck);
		this.subscriptions = subscriptions;
		subscriptions.init(subscriptionsRepository);
		Authorizator authorizator = new Authorizator(rememberingSubscriber(authorizatorPolicy));
		int sessionQueueSize = config.intProp(IConfig.SESSION_QUEUE_SIZE, 1024);
		SessionEventLoopGroup loops = new GuardedLoops(this.interceptor, sessionQueueSize);
		this.loops = loops;
		List<String> loopKeys = oneKeyPerSessionLoop(loops);
		this.loopKeys = loopKeys;
		notifyOnCallingThread(this.interceptor, this.failureLog);
		if (this.committer != null) {
			this.committer.beforeEachCommit(() -> drainBeforeCommit(loopKeys));
		}
		this.sessions = new SessionRegistry(subscriptions, sessionsRepository, this.queues, authorizator,
				this.scheduler, clock, Session.INFINITE_EXPIRY, loops);
		this.postOffice = new PostOffice(subscriptions,
				new CheckedRetained(this, deliveryCheck, this.retainedForSubscription), this.sessions,
				this.interceptor, authorizator, loops);
		BrokerConfiguration brokerConfig = new BrokerConfiguration(config);
		this.bufferFlushMillis = brokerConfig.getBufferFlushMillis();
		this.mqttHandler = new NewNettyMQTTHandler(
				new MQTTConnectionFactory(brokerConfig, authenticator, this.sessions, this.postOffice)) {

			@Override
			public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object message) throws Exception {
				if (!(message instanceof MqttPublishMessage publish)) {
					super.channelRead(ctx, message);
					return;
				}
				Routing routing = Routing.CURRENT.get();
				io.netty.channel.Channel outer = routing.publisher;
				boolean outerAtMostOnce = routing.atMostOnce;
				routing.publisher = ctx.channel();
				routing.atMostOnce = publish.fixedHeader().qosLevel() == MqttQoS.AT_MOST_ONCE;
				try {
					super.channelRead(ctx, message);
				}
				finally {
					routing.publisher = outer;
					routing.atMostOnce = outerAtMostOnce;
				}
			}

			/**
			 * The engine resends unacknowledged QoS 1/2 messages every 5 s from the network
			 * thread, while the session loop acknowledges and releases them: a message released
			 * meanwhile was written with no references left, and the connection was closed for it.
			 * The resend runs on the session's loop instead, and only while the session is still
			 * bound to this connection.
			 */
			@Override
			public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object event) {
				if (!(event instanceof InflightResender.ResendNotAckedPublishes)) {
					super.userEventTriggered(ctx, event);
					return;
				}
				Object connection = ctx.channel().attr(CONNECTION).get();
				String clientId = NettyUtils.clientID(ctx.channel());
				if (connection instanceof MQTTConnection mqttConnection && clientId != null) {
					io.netty.channel.Channel channel = ctx.channel();
					MoquetteCore.this.postOffice.routeCommand(clientId, "resend", () -> {
						Session session = MoquetteCore.this.sessions.retrieve(clientId);
						if (session != null && session.isBoundTo(mqttConnection)) {
							resendLongUnacknowledged(session, channel);
						}
						return null;
					});
				}
				ctx.fireUserEventTriggered(event);
			}

		};
	}

	/**
	 * The engine's resend, without its duplicates: every 5 s it sends again each message whose
	 * packet id it noted more than 5 s ago, looking the id up in the in-flight window. A
	 * subscriber that takes more than about 6,500 messages a second goes through all 65,535 ids
	 * in less than the 10 s a note can wait, so the id then belongs to a newer message, which
	 * was sent a moment ago and went out a second time. A note is kept only when the window
	 * holds the very message it held at the previous tick (5 s earlier), and only one per id.
	 * Runs on the session's loop; the network thread's tick and this command are 5 s apart.
	 */
	@SuppressWarnings("unchecked")
	private static void resendLongUnacknowledged(Session session, io.netty.channel.Channel channel) {
		try {
			Map<Integer, Object> window = (Map<Integer, Object>) SESSION_INFLIGHT.get(session);
			java.util.concurrent.DelayQueue<Session.InFlightPacket> notes = (java.util.concurrent.DelayQueue<Session.InFlightPacket>) SESSION_TIMEOUTS
				.get(session);
			// None before the first tick: then every due note is kept, as the engine would.
			Map<Integer, Object> before = channel.attr(RESEND_SEEN).get();
			if (window.isEmpty() && notes.isEmpty()) {
				// Nothing in flight, nothing noted (an idle connection): nothing to allocate.
				if (before == null || !before.isEmpty()) {
					channel.attr(RESEND_SEEN).set(Map.of());
				}
				return;
			}
			List<Session.InFlightPacket> due = new ArrayList<>();
			notes.drainTo(due);
			Set<Integer> kept = new java.util.HashSet<>();
			for (Session.InFlightPacket note : due) {
				Object message = window.get(note.packetId);
				if (message != null && (before == null || before.get(note.packetId) == message)
						&& kept.add(note.packetId)) {
					notes.add(note);
				}
			}
			channel.attr(RESEND_SEEN).set(window.isEmpty() ? Map.of() : new java.util.HashMap<>(window));
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("The broker engine's in-flight notes cannot be read", ex);
		}
		session.resendInflightNotAcked();
	}

	/**
	 * Opens the store and starts the session loops, with every session's queue capped by
	 * {@code queueLimits}.
	 * @param config Moquette settings (listener settings are ignored: the hub listens itself)
	 */
	public static MoquetteCore start(IConfig config, List<InterceptHandler> interceptHandlers,
			IAuthenticator authenticator, IAuthorizatorPolicy authorizatorPolicy, DeliveryCheck deliveryCheck,
			QueueLimits queueLimits) throws IOException {
		return new MoquetteCore(config, interceptHandlers, authenticator, authorizatorPolicy, deliveryCheck,
				queueLimits);
	}

	/**
	 * The caps on every session's queue: beyond either, newer messages for the session are
	 * dropped.
	 * @param maxMessages most messages in one queue
	 * @param maxBytes most payload and topic bytes in one queue
	 * @param onFull called for each message dropped because a queue holds {@code maxMessages}
	 * @param onBytesFull called for each message dropped because it would take a queue past
	 * {@code maxBytes}
	 * @param maxBytesInMemory most payload and topic bytes in all the queues kept in memory
	 * (clean sessions; every session without a store) together
	 * @param onMemoryFull called for each message dropped because it would take them past
	 * {@code maxBytesInMemory}
	 */
	public record QueueLimits(int maxMessages, long maxBytes, Runnable onFull, Runnable onBytesFull,
			long maxBytesInMemory, Runnable onMemoryFull) {

	}

	/** Payload and topic bytes in all the session queues kept in memory. */
	public long queuedBytesInMemory() {
		return this.queues.queuedBytesInMemory();
	}

	/** Where the hub holds back publishers whose messages a subscriber's queue cannot take. */
	public interface PublisherPressure {

		/**
		 * The queue of the session connected on {@code subscriber} is above its high-water mark
		 * with a message that {@code publisher} sent: hold {@code publisher} back. Called on the
		 * subscriber's session loop for every such message; must be quick.
		 */
		void press(io.netty.channel.Channel publisher, io.netty.channel.Channel subscriber);

		/**
		 * The queue of the session connected on {@code subscriber} is back at its low-water mark,
		 * was emptied, or its subscriber stalled: let the publishers held back for it go on.
		 */
		void relieve(io.netty.channel.Channel subscriber);

	}

	/**
	 * Turns back-pressure on: from now on, a QoS 1/2 message from a client routed into the queue
	 * of a connected session above the high-water mark (either count or bytes) asks
	 * {@code pressure} to hold that client back, until the queue is at the low-water mark (both)
	 * again. A queue whose subscriber took nothing for {@code maxStall} stops asking until then.
	 * Messages the broker publishes itself (bridges, the admin API, wills) hold nobody back.
	 * Besides, while the queues kept in memory hold more than {@code highBytesInMemory} bytes
	 * together, every connected session's queue in memory that holds anything asks too.
	 */
	public void pressPublishers(int highMessages, long highBytes, int lowMessages, long lowBytes,
			long highBytesInMemory, java.time.Duration maxStall, PublisherPressure pressure) {
		this.queues.pressWith(
				new BoundedQueueRepository.WaterMarks(highMessages, highBytes, lowMessages, lowBytes,
						maxStall.toNanos(), highBytesInMemory),
				new BoundedQueueRepository.Pressure() {

					@Override
					public io.netty.channel.Channel publisher() {
						return Routing.CURRENT.get().publisher;
					}

					@Override
					public io.netty.channel.Channel connectionOf(String clientId) {
						return connectedChannelOf(clientId);
					}

					@Override
					public void press(io.netty.channel.Channel publisher, io.netty.channel.Channel subscriber) {
						pressure.press(publisher, subscriber);
					}

					@Override
					public void relieve(io.netty.channel.Channel subscriber) {
						pressure.relieve(subscriber);
					}

				});
	}

	/** Where the hub holds back clients whose QoS 0 messages no subscriber can take for now. */
	public interface SheddingPressure {

		/**
		 * Whether the client connected on {@code subscriber} is so far behind that its QoS 0
		 * messages are about to be shed. Called on any thread, for every QoS 0 message routed to
		 * a connected subscriber until one is not behind: must be quick.
		 */
		boolean behind(io.netty.channel.Channel subscriber);

		/**
		 * Every connected subscriber of a QoS 0 message that {@code publisher} sent is behind,
		 * {@code subscriber} among them: hold {@code publisher} back until {@code subscriber} has
		 * caught up, unless {@code subscriber} holds nobody back (it stopped taking messages).
		 * Called on the publisher's session loop.
		 *
		 * @return whether {@code publisher} is held back for {@code subscriber}
		 */
		boolean press(io.netty.channel.Channel publisher, io.netty.channel.Channel subscriber);

	}

	/**
	 * Turns back-pressure for QoS 0 on: a QoS 0 PUBLISH from a client whose every connected
	 * subscriber is behind asks {@code pressure} to hold that client back, so that the broker
	 * does not spend its time routing messages nobody can take. A message that at least one
	 * subscriber can take holds nobody back, so a slow subscriber does not slow the others;
	 * neither do a client's own subscriptions or messages the broker publishes itself.
	 */
	public void pressSheddingPublishers(SheddingPressure pressure) {
		this.subscriptions.shedding = new SheddingCheck(pressure, this::connectedChannelOf);
	}

	/**
	 * The check of {@link #pressSheddingPublishers}: runs on the publisher's session loop,
	 * while the engine routes a PUBLISH, right after the subscription lookup.
	 */
	private record SheddingCheck(SheddingPressure pressure,
			java.util.function.Function<String, io.netty.channel.Channel> connectionOf) {

		void check(List<Subscription> targets) {
			Routing routing = Routing.CURRENT.get();
			io.netty.channel.Channel publisher = routing.publisher;
			if (publisher == null || !routing.atMostOnce) {
				return;
			}
			boolean anyBehind = false;
			for (Subscription target : targets) {
				io.netty.channel.Channel subscriber = this.connectionOf.apply(target.getClientId());
				if (subscriber == null || !subscriber.isActive()) {
					continue;
				}
				if (subscriber == publisher || !this.pressure.behind(subscriber)) {
					return;
				}
				anyBehind = true;
			}
			if (!anyBehind) {
				return;
			}
			// Nobody can take it: the first subscriber that still takes messages holds the publisher back.
			for (Subscription target : targets) {
				io.netty.channel.Channel subscriber = this.connectionOf.apply(target.getClientId());
				if (subscriber != null && subscriber.isActive() && this.pressure.press(publisher, subscriber)) {
					return;
				}
			}
		}

	}

	/**
	 * The channel of {@code clientId}'s session while it is connected, else null. On another
	 * thread than the session's loop the answer may be a moment old: a channel just closed, or
	 * null for a session connecting now.
	 */
	private io.netty.channel.Channel connectedChannelOf(String clientId) {
		Session session = this.sessions.retrieve(clientId);
		if (session == null || !session.connected()) {
			return null;
		}
		try {
			Object connection = SESSION_CONNECTION.get(session);
			return (connection instanceof MQTTConnection mqttConnection) ? mqttConnection.channel : null;
		}
		catch (IllegalAccessException ex) {
			return null;
		}
	}

	/** Payload and topic bytes waiting in the session queue of the client on {@code channel}. */
	public long queuedBytes(io.netty.channel.Channel channel) {
		String clientId = NettyUtils.clientID(channel);
		return (clientId != null) ? this.queues.queuedBytes(clientId) : 0;
	}

	/**
	 * Decides, per message, whether a subscription of a session may receive a topic: the engine
	 * asks the subscription tree, and the hub's answer filters what it finds.
	 */
	@FunctionalInterface
	public interface DeliveryCheck {

		/**
		 * @param clientId the subscribing session
		 * @param filter the subscription's topic filter
		 * @param topic the topic of the message
		 */
		boolean mayDeliver(String clientId, String filter, String topic);

	}

	/** The client ids of the sessions the engine keeps in its store. */
	public Set<String> storedSessionIds() {
		Set<String> ids = new java.util.HashSet<>();
		if (this.store != null) {
			for (ISessionsRepository.SessionData session : this.store.sessionsRepository().list()) {
				ids.add(session.clientId());
			}
		}
		return ids;
	}

	/**
	 * Whether a PUBLISH on its way out carries a retained message sent because of a new
	 * subscription (MQTT-3.3.1-8): then it must have RETAIN 1, which the engine leaves out at QoS
	 * 1 and 2. Answers yes once per payload.
	 */
	public boolean sentForNewSubscription(ByteBuf payload) {
		return payload.hasArray() && this.retainedForSubscription.remove(payload.array());
	}

	/** Remembers, on the session loop, who asks to subscribe: the engine next looks for retained messages. */
	private static IAuthorizatorPolicy rememberingSubscriber(IAuthorizatorPolicy policy) {
		return new IAuthorizatorPolicy() {

			@Override
			public boolean canWrite(Topic topic, String user, String client) {
				return policy.canWrite(topic, user, client);
			}

			@Override
			public boolean canRead(Topic topic, String user, String client) {
				subscriber.set(new String[] { client });
				return policy.canRead(topic, user, client);
			}

		};
	}

	/**
	 * Applies every retained PUBLISH of a client, the only place that does (the engine's own
	 * writes are ignored, see {@link CheckedRetained}). The engine would only clear the topic for
	 * a QoS 0 one, but MQTT-3.3.1-5 has them kept like any other (Mosquitto and the Paho
	 * interoperability suite expect it). The engine notifies after it has handled a PUBLISH, in
	 * the same command (see {@link #notifyOnCallingThread}), so a client's retained messages are
	 * applied in the order it sent them (an empty one deletes, MQTT-3.3.1-10) and a message
	 * stored late never outlives a later one. With persistence on, each commit first drains the
	 * session loops, so a retained message is stored before its PUBACK leaves.
	 */
	private static final class RetainedInOrder extends io.moquette.interception.AbstractInterceptHandler {

		private final MoquetteCore core;

		RetainedInOrder(MoquetteCore core) {
			this.core = core;
		}

		@Override
		public String getID() {
			return "mqtthub-retained-in-order";
		}

		@Override
		public Class<?>[] getInterceptedMessageTypes() {
			return new Class<?>[] { io.moquette.interception.messages.InterceptPublishMessage.class };
		}

		@Override
		public void onPublish(io.moquette.interception.messages.InterceptPublishMessage message) {
			ByteBuf payload = message.getPayload();
			try {
				if (!message.isRetainFlag()) {
					return;
				}
				Topic topic = new Topic(message.getTopicName());
				if (!payload.isReadable()) {
					this.core.removeRetained(topic);
				}
				else {
					this.core.storeRetained(topic, message.getUsername(), message.getQos(), payload);
				}
			}
			finally {
				payload.release();
			}
		}

		@Override
		public void onSessionLoopError(Throwable error) {
		}

	}

	/**
	 * The subscription tree, with every match checked by the hub before the engine delivers, and
	 * the filters each client id holds in it, counted for the hub's limit per client. The engine
	 * changes the tree of a client id on that client's session loop only (SUBSCRIBE, UNSUBSCRIBE,
	 * a clean session's end or restart, a dropped session); the hub reads the counts from any thread.
	 */
	private static final class CheckedSubscriptions implements ISubscriptionsDirectory {

		private final ISubscriptionsDirectory tree;

		private final DeliveryCheck check;

		/** Per client id, its subscriptions in the tree by filter. */
		private final Map<String, Map<String, Subscription>> byClient = new ConcurrentHashMap<>();

		/** Back-pressure for QoS 0, once turned on ({@link #pressSheddingPublishers}). */
		volatile SheddingCheck shedding;

		/** The tree's answer per topic name, until the next change of the tree. */
		private final MatchCache<List<Subscription>> matches = new MatchCache<>(4_096, List::size, 256);

		CheckedSubscriptions(ISubscriptionsDirectory tree, DeliveryCheck check) {
			this.tree = tree;
			this.check = check;
		}

		@Override
		public void init(ISubscriptionsRepository repository) {
			this.tree.init(repository);
			this.matches.invalidate();
			// The tree was just filled from the store: sessions restored with their subscriptions.
			for (Subscription subscription : repository.listAllSubscriptions()) {
				held(subscription);
			}
		}

		@Override
		public Set<String> listAllSessionIds() {
			return this.tree.listAllSessionIds();
		}

		@Override
		public List<Subscription> matchWithoutQosSharpening(Topic topic) {
			return checked(topic, this.tree.matchWithoutQosSharpening(topic));
		}

		@Override
		public List<Subscription> matchQosSharpening(Topic topic) {
			// The tree's answer is shared between messages and threads: never changed, only read.
			List<Subscription> targets = checked(topic,
					this.matches.get(topic.toString(), (name) -> this.tree.matchQosSharpening(topic)));
			SheddingCheck check = this.shedding;
			if (check != null && !targets.isEmpty()) {
				check.check(targets);
			}
			return targets;
		}

		private List<Subscription> checked(Topic topic, List<Subscription> matches) {
			if (matches.isEmpty()) {
				return matches;
			}
			String name = topic.toString();
			List<Subscription> allowed = new java.util.ArrayList<>(matches.size());
			for (Subscription match : matches) {
				if (this.check.mayDeliver(match.getClientId(), match.getTopicFilter().toString(), name)) {
					allowed.add(match);
				}
			}
			return allowed;
		}

		@Override
		public void add(Subscription newSubscription) {
			this.tree.add(newSubscription);
			this.matches.invalidate();
			held(newSubscription);
		}

		private void held(Subscription subscription) {
			this.byClient.computeIfAbsent(subscription.getClientId(), (id) -> new ConcurrentHashMap<>())
				.put(subscription.getTopicFilter().toString(), subscription);
		}

		@Override
		public void removeSubscription(Topic topic, String clientID) {
			this.tree.removeSubscription(topic, clientID);
			this.matches.invalidate();
			String filter = topic.toString();
			this.byClient.computeIfPresent(clientID, (id, filters) -> {
				filters.remove(filter);
				return filters.isEmpty() ? null : filters;
			});
		}

		/** Filters the tree holds for this client id (a re-subscription replaces, it does not add). */
		int count(String clientId) {
			Map<String, Subscription> filters = this.byClient.get(clientId);
			return (filters != null) ? filters.size() : 0;
		}

		boolean holds(String clientId, String filter) {
			Map<String, Subscription> filters = this.byClient.get(clientId);
			return filters != null && filters.containsKey(filter);
		}

		/**
		 * Makes a session that the engine just connected agree with the tree. The engine restores
		 * sessions at start-up without their list of subscriptions, which is what it removes from
		 * the tree when a session ends or starts clean: those in the tree would stay forever (and
		 * still receive). A persistent session gets its list back; a clean one, which has just
		 * been created and holds nothing yet, loses what the tree kept for its client id.
		 */
		void reconcile(Session session) {
			Map<String, Subscription> held = this.byClient.get(session.getClientID());
			if (held == null) {
				return;
			}
			Set<Subscription> known = new java.util.HashSet<>(session.getSubscriptions());
			List<Subscription> unknown = new ArrayList<>();
			for (Subscription subscription : held.values()) {
				if (!known.contains(subscription)) {
					unknown.add(subscription);
				}
			}
			if (unknown.isEmpty()) {
				return;
			}
			if (session.isClean()) {
				for (Subscription stale : unknown) {
					removeSubscription(stale.getTopicFilter(), session.getClientID());
				}
			}
			else {
				session.addSubscriptions(unknown);
			}
		}

		@Override
		public int size() {
			return this.tree.size();
		}

		@Override
		public String dumpTree() {
			return this.tree.dumpTree();
		}

	}

	/**
	 * The engine writes every new session to the store, clean ones too, although a clean session
	 * ends with its connection (MQTT-3.1.2-6) and is never read back: the store then held a
	 * record, and every connect cost a write, for each connected device. Only sessions that
	 * outlive their connection are stored here; a clean start of a client id removes what was
	 * stored for it, so that a restart cannot bring back a session the client gave up.
	 */
	private static final class PersistentSessionsOnly implements ISessionsRepository {

		private final ISessionsRepository store;

		PersistentSessionsOnly(ISessionsRepository store) {
			this.store = store;
		}

		@Override
		public Collection<SessionData> list() {
			return this.store.list();
		}

		@Override
		public void saveSession(SessionData session) {
			if (session.expiryInterval() == 0) {
				this.store.delete(session);
			}
			else {
				this.store.saveSession(session);
			}
		}

		@Override
		public void delete(SessionData session) {
			this.store.delete(session);
		}

	}

	/**
	 * The retained messages, checked for the subscriber before the engine sends them to a new
	 * subscription, and marked so that they leave with RETAIN 1. The engine's own writes are
	 * ignored: the hub applies every retained message itself, in order and counted against its
	 * owner's limits ({@link RetainedInOrder} for clients, {@link #internalPublish} for the broker).
	 */
	private static final class CheckedRetained implements IRetainedRepository {

		private final MoquetteCore core;

		private final DeliveryCheck check;

		private final Set<byte[]> marks;

		CheckedRetained(MoquetteCore core, DeliveryCheck check, Set<byte[]> marks) {
			this.core = core;
			this.check = check;
			this.marks = marks;
		}

		@Override
		public void cleanRetained(Topic topic) {
		}

		@Override
		public void retain(Topic topic, MqttPublishMessage msg) {
		}

		@Override
		public boolean isEmpty() {
			return this.core.retained.isEmpty();
		}

		/**
		 * Only the engine calls this, on the session loop of the client that just subscribed.
		 * The matching topics are listed first (from the hub's account when it keeps one, which
		 * loads no payload); each message is loaded only when the engine comes to send it, so a
		 * subscription to {@code #} never holds every retained payload at once.
		 */
		@Override
		public List<RetainedMessage> retainedOnTopic(String filter) {
			String[] who = subscriber.get();
			Topic wanted = new Topic(filter);
			List<String> topics = new ArrayList<>();
			for (String topic : this.core.indexedRetainedTopics()) {
				if (new Topic(topic).match(wanted) && (who == null || this.check.mayDeliver(who[0], filter, topic))) {
					topics.add(topic);
				}
			}
			return new LoadedOneByOne(topics, (topic) -> {
				RetainedMessage message = this.core.retainedMessage(topic);
				if (message == null) {
					return null;
				}
				// A copy of our own, so that its array marks it as sent for this subscription.
				byte[] payload = message.getPayload().clone();
				this.marks.add(payload);
				return new RetainedMessage(message.getTopic(), message.qosLevel(), payload);
			});
		}

	}

	/**
	 * Retained messages loaded one at a time as they are iterated (the engine only iterates);
	 * one removed since it was listed is skipped.
	 */
	private static final class LoadedOneByOne extends java.util.AbstractList<RetainedMessage> {

		private final List<String> topics;

		private final java.util.function.Function<String, RetainedMessage> load;

		LoadedOneByOne(List<String> topics, java.util.function.Function<String, RetainedMessage> load) {
			this.topics = topics;
			this.load = load;
		}

		@Override
		public int size() {
			return this.topics.size();
		}

		/** May be null: a message removed since it was listed. */
		@Override
		public RetainedMessage get(int index) {
			return this.load.apply(this.topics.get(index));
		}

		@Override
		public java.util.Iterator<RetainedMessage> iterator() {
			java.util.Iterator<String> names = this.topics.iterator();
			return new java.util.Iterator<>() {

				private RetainedMessage next;

				@Override
				public boolean hasNext() {
					while (this.next == null && names.hasNext()) {
						this.next = LoadedOneByOne.this.load.apply(names.next());
					}
					return this.next != null;
				}

				@Override
				public RetainedMessage next() {
					if (!hasNext()) {
						throw new java.util.NoSuchElementException();
					}
					RetainedMessage message = this.next;
					this.next = null;
					return message;
				}

			};
		}

	}

	/**
	 * The figures of a session's stored queue: the engine keeps its head and tail indexes in a map
	 * beside it, and the hub keeps the queue's byte count there too, so that the count is
	 * committed (and dropped) with the messages it counts. A queue stored before the hub counted
	 * bytes counts from 0.
	 */
	static final class StoredQueueSizes implements BoundedQueueRepository.StoredSizes {

		private static final String BYTES = "mqtthub_bytes";

		private final MVStore store;

		StoredQueueSizes(MVStore store) {
			this.store = store;
		}

		private static String meta(String clientId) {
			return "queue_" + clientId + "_meta";
		}

		@Override
		public long messages(String clientId) {
			if (!this.store.hasMap(meta(clientId))) {
				return 0;
			}
			MVMap<String, Long> indexes = this.store.openMap(meta(clientId));
			Long head = indexes.get("head");
			Long tail = indexes.get("tail");
			return (head != null && tail != null) ? Math.max(0, head - tail) : 0;
		}

		@Override
		public long bytes(String clientId) {
			if (!this.store.hasMap(meta(clientId))) {
				return 0;
			}
			Long bytes = this.store.<String, Long>openMap(meta(clientId)).get(BYTES);
			return (bytes != null) ? bytes : 0;
		}

		@Override
		public java.util.function.LongConsumer bytesRecorder(String clientId) {
			// Opened once, after the engine opened the queue and its map of indexes.
			MVMap<String, Long> indexes = this.store.openMap(meta(clientId));
			return (bytes) -> {
				if (!indexes.isClosed()) {
					indexes.put(BYTES, bytes);
				}
			};
		}

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
			SESSION_QUEUE.set(session, this.queues.bound(clientId, queue));
			emptyUntilUsed(session);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("The session queue of the broker engine cannot be capped", ex);
		}
	}

	/**
	 * The engine makes a session's in-flight window and timers, QoS 2 receipts and subscription
	 * set at once; while they are still empty (a new or clean session) they are swapped for ones
	 * that make their table with the first element. The session's loop is the only one that
	 * changes them, and this runs on it (the timers are also read by the network thread's tick,
	 * {@link #mayResend}: a lazy queue is thread-safe like the engine's).
	 */
	private static void emptyUntilUsed(Session session) throws IllegalAccessException {
		for (Field field : new Field[] { SESSION_INFLIGHT, SESSION_QOS2_RECEIVING }) {
			Object map = field.get(session);
			if (map != null && map.getClass() == java.util.HashMap.class && ((Map<?, ?>) map).isEmpty()) {
				field.set(session, new EmptyUntilUsed.LazyMap<>());
			}
		}
		Object timeouts = SESSION_TIMEOUTS.get(session);
		if (LAZY_TIMEOUTS && timeouts != null && timeouts.getClass() == java.util.concurrent.DelayQueue.class
				&& ((java.util.concurrent.DelayQueue<?>) timeouts).isEmpty()) {
			SESSION_TIMEOUTS.set(session, EmptyUntilUsed.LazyDelayQueue.create());
		}
		Object subscriptions = SESSION_SUBSCRIPTIONS.get(session);
		if (subscriptions != null && subscriptions.getClass() == java.util.HashSet.class
				&& ((Set<?>) subscriptions).isEmpty()) {
			SESSION_SUBSCRIPTIONS.set(session, new EmptyUntilUsed.LazySet<>());
		}
	}

	/**
	 * A map of the hub's own in the engine's store, committed together with everything else
	 * (in memory when nothing is persisted). Keys iterate in ascending order.
	 */
	public <K, V> Map<K, V> storedMap(String name) {
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
		 * Called in the command that routed the message (on a session loop, in the order each
		 * client's messages were routed, possibly on several threads at once): it must be quick
		 * and never block. What it writes with {@link #storedMap} is committed before the
		 * PUBACK / PUBREC of the message is sent.
		 * @param clientId the client that published it
		 */
		void published(String clientId, String topic, byte[] payload, int qos, boolean retain);

	}

	/**
	 * Hands every published message to {@code listener}. Each commit waits until the listener
	 * has seen every message whose acknowledgement that commit releases: the engine acknowledges
	 * a PUBLISH and only then notifies its interceptors, in the same command, and every commit
	 * first drains the session loops (see {@code drainBeforeCommit}).
	 */
	public void tapPublishes(PublishListener listener, java.util.function.BooleanSupplier wanted) {
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
					if (!wanted.getAsBoolean()) {
						// Nobody listens (no bridge): no copy on the publish path.
						return;
					}
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
	}

	/** Names that the engine maps to each of its session loops, one per loop. */
	private static List<String> oneKeyPerSessionLoop(SessionEventLoopGroup loops) {
		int count = loops.getEventLoopCount();
		String[] keys = new String[count];
		int found = 0;
		for (int i = 0; found < count && i < 100_000; i++) {
			String key = "mqtthub-commit-barrier-" + i;
			int loop = loops.targetQueueOrdinal(key);
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

	/**
	 * Before each commit, the work that acknowledged messages set off is finished, so that the
	 * commit holds its result: every session loop runs the commands queued so far (a routed
	 * PUBLISH is queued or sent to each subscriber there), then the network loops where the hub
	 * records messages in flight to subscribers run what those sends queued there. The engine's
	 * notifications of those PUBLISHes (retained messages stored, publish taps) ran in the
	 * session loops' commands themselves ({@link #notifyOnCallingThread}).
	 */
	private void drainBeforeCommit(List<String> loopKeys) {
		try {
			List<CompletableFuture<?>> loopsDone = new ArrayList<>();
			for (String key : loopKeys) {
				loopsDone.add(routeBarrier(key));
			}
			CompletableFuture.allOf(loopsDone.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
			// All at once: each only has to run after what the session loops queued there.
			List<io.netty.util.concurrent.Future<?>> recorded = new ArrayList<>();
			for (EventExecutor loop : this.deliveryLoops) {
				if (!loop.isShuttingDown()) {
					recorded.add(loop.submit(() -> {
					}));
				}
			}
			for (io.netty.util.concurrent.Future<?> done : recorded) {
				done.get(10, TimeUnit.SECONDS);
			}
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
	 * Has the engine's notifications run on the thread that notifies (a session loop, for a
	 * PUBLISH in the command that routed it) instead of being handed to a thread of their own.
	 * That hand-off cost every PUBLISH a task, a queue entry and a wake-up of another thread, and
	 * every commit a round trip to that thread, for handlers (retained messages, monitoring,
	 * publish taps) that take microseconds and never block. It also means that a session loop
	 * that has run a command has run what that command notified: commits and the probes that pace
	 * publishers need not wait for another queue, and that queue (unbounded in the engine) is gone.
	 */
	private static void notifyOnCallingThread(BrokerInterceptor interceptor, TaskFailureLog failures) {
		try {
			Field field = BrokerInterceptor.class.getDeclaredField("executor");
			field.setAccessible(true);
			ExecutorService executor = (ExecutorService) field.get(interceptor);
			if (!(executor instanceof ThreadPoolExecutor pool) || pool.getMaximumPoolSize() != 1) {
				throw new IllegalStateException("The broker engine notifies on more than one thread");
			}
			field.set(interceptor, new CallingThreadNotifications(failures));
			// Its thread is started on the first task: there is none yet.
			executor.shutdownNow();
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("This version of the broker engine notifies elsewhere", ex);
		}
	}

	/**
	 * Runs each notification at once on the caller's thread. A handler's failure goes no further,
	 * as it did on the engine's own thread: it must not undo the routing of the message it was
	 * told about. It is logged like a failed session-loop task (one escaped line, rate-limited).
	 */
	private static final class CallingThreadNotifications extends java.util.concurrent.AbstractExecutorService {

		private final TaskFailureLog failures;

		private volatile boolean shutdown;

		CallingThreadNotifications(TaskFailureLog failures) {
			this.failures = failures;
		}

		@Override
		public void execute(Runnable notification) {
			try {
				notification.run();
			}
			catch (RuntimeException ex) {
				this.failures.failed(Thread.currentThread().getName(), "notification", "", ex,
						"the message was routed all the same", true);
			}
		}

		@Override
		public void shutdown() {
			this.shutdown = true;
		}

		@Override
		public List<Runnable> shutdownNow() {
			this.shutdown = true;
			return List.of();
		}

		@Override
		public boolean isShutdown() {
			return this.shutdown;
		}

		@Override
		public boolean isTerminated() {
			return this.shutdown;
		}

		@Override
		public boolean awaitTermination(long timeout, TimeUnit unit) {
			return this.shutdown;
		}

	}

	/**
	 * The hub records messages in flight to subscribers on {@code loop}: commits wait for what
	 * is queued there (see {@link #afterCommit}).
	 */
	public void recordsInFlightOn(EventExecutor loop) {
		this.deliveryLoops.add(loop);
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
	 * Takes the engine's keep-alive timer ({@code idleStateHandler}) and resend timer
	 * ({@code inflightResender}) out of a connection's pipeline, where the engine adds them once
	 * the CONNACK is written; the hub keeps both times for all connections of an event loop in one
	 * sweep instead. False while the engine has not added them yet. Call on the channel's event loop.
	 */
	public static boolean takeOverConnectionTimers(io.netty.channel.Channel channel) {
		io.netty.channel.ChannelPipeline pipeline = channel.pipeline();
		// The engine adds both in one go, the resend timer last.
		if (pipeline.context(INFLIGHT_RESENDER) == null) {
			return false;
		}
		pipeline.remove(INFLIGHT_RESENDER);
		if (pipeline.context(KEEP_ALIVE_TIMER) != null) {
			pipeline.remove(KEEP_ALIVE_TIMER);
		}
		return true;
	}

	/**
	 * Whether the resend tick can have anything to do for {@code channel}: the engine notes each
	 * QoS 1/2 message and PUBREL when it sends it and sends again only what is noted, so a session
	 * without a note (nothing sent since the last tick drained them) has nothing to resend, and its
	 * tick need not cross the pipeline and the session loop. Safe on the network thread: the notes
	 * are a {@code DelayQueue}, the sessions a concurrent map. True when the notes cannot be read.
	 */
	public boolean mayResend(io.netty.channel.Channel channel) {
		String clientId = NettyUtils.clientID(channel);
		// Without a client id or a session the engine's resend does nothing either.
		Session session = (clientId != null) ? this.sessions.retrieve(clientId) : null;
		if (session == null) {
			return false;
		}
		try {
			return !((java.util.concurrent.DelayQueue<?>) SESSION_TIMEOUTS.get(session)).isEmpty();
		}
		catch (IllegalAccessException | RuntimeException ex) {
			return true;
		}
	}

	/**
	 * Sends again, on the session's loop, what the client of {@code channel} has left
	 * unacknowledged for a while: what the engine's resend timer would do at its tick (every 5 s).
	 */
	public static void resendUnacknowledged(io.netty.channel.Channel channel) {
		channel.pipeline().fireUserEventTriggered(RESEND_EVENT);
	}

	/** Milliseconds between automatic flushes, 0 to flush each write, -1 never. */
	public int bufferFlushMillis() {
		return this.bufferFlushMillis;
	}

	/**
	 * Runs {@code task} on the client's session loop after every command already queued there
	 * (e.g. the processing of its CONNECT), and so after what those commands notified.
	 * @return false when the session loop refused the task (its queue is full)
	 */
	public boolean afterQueuedCommands(String clientId, Runnable task) {
		return this.postOffice.routeCommand(clientId, "hub", () -> {
			task.run();
			return null;
		}).isSuccess();
	}

	/**
	 * Fired on a client's channel when the engine leaves one of its QoS 1/2 PUBLISHes unanswered
	 * on purpose: it could not take it, or route it to every subscriber (a full command queue),
	 * and expects the client to send it again. An answer written for it instead would lose it.
	 */
	public enum AnswerWithheld {

		INSTANCE

	}

	/** Reports tasks that failed on a session loop. */
	@FunctionalInterface
	public interface TaskFailureListener {

		/**
		 * Called on the session loop, after the guard has logged the failure and closed the
		 * connection it belongs to; must be quick and must not throw.
		 * @param loop the name of the session loop
		 */
		void taskFailed(String loop, Throwable error);

	}

	/** Tells {@code listener} about every task that fails on a session loop from now on. */
	public void onTaskFailure(TaskFailureListener listener) {
		this.taskFailures = listener;
	}

	/** How many session loops the engine runs. */
	public int sessionLoopCount() {
		return this.loopKeys.size();
	}

	/** The name of session loop {@code loop} (its thread's name), e.g. for a health report. */
	public String sessionLoopName(int loop) {
		return this.loops.sessionLoopThreadName(this.loopKeys.get(loop));
	}

	/**
	 * Queues a probe on session loop {@code loop}, behind every command already queued there:
	 * {@code answered} runs on that loop when it gets there.
	 * @return false when the loop's queue is full (the probe is not queued)
	 */
	public boolean probeSessionLoop(int loop, Runnable answered) {
		return runOnSessionLoop(loop, answered);
	}

	/** Runs {@code task} on session loop {@code loop} (tests use it to block or break a loop). */
	boolean runOnSessionLoop(int loop, Runnable task) {
		return this.loops.routeCommand(this.loopKeys.get(loop), "hub loop task", () -> {
			task.run();
			return null;
		}).isSuccess();
	}

	/**
	 * The engine's session loops with every task behind a guard. The engine runs each command in
	 * a task whose failure it rethrows, which ends the loop's thread for good: every session on
	 * that loop then waits forever (no CONNACK, no delivery). Here a task that throws anything is
	 * logged in one line, the connection of its session is closed, and the loop goes on with its
	 * next task. The command then counts as done, so that whatever waits for it (an
	 * acknowledgement, a commit) is not left waiting: what it would have sent on its own
	 * connection goes nowhere, as that is closed first, but a message it was delivering to a
	 * session without a connection is lost for that session.
	 * <p>
	 * Errors of the virtual machine are caught too, StackOverflowError (unwound by then) and
	 * OutOfMemoryError included: a loop that died would strand its sessions for good, which is
	 * worse than going on. As whichever task allocates next gets an OutOfMemoryError, that one
	 * closes no connection (its client is more likely a victim than the cause); the hub's health
	 * turns DOWN if the loop stops answering, and {@code -XX:+ExitOnOutOfMemoryError} is there for
	 * a restart instead.
	 */
	private final class GuardedLoops extends SessionEventLoopGroup {

		GuardedLoops(BrokerInterceptor interceptor, int queueSize) {
			super(interceptor, queueSize);
		}

		@Override
		public PostOffice.RouteResult routeCommand(String clientId, String action,
				java.util.concurrent.Callable<String> command) {
			Routing current = Routing.CURRENT.get();
			io.netty.channel.Channel publisher = current.publisher;
			boolean atMostOnce = current.atMostOnce;
			boolean connect = "CONN".equals(action);
			PostOffice.RouteResult result = super.routeCommand(clientId, action, () -> {
				Routing routing = Routing.CURRENT.get();
				io.netty.channel.Channel outer = routing.publisher;
				boolean outerAtMostOnce = routing.atMostOnce;
				routing.publisher = publisher;
				routing.atMostOnce = atMostOnce;
				routing.depth++;
				try {
					if (connect) {
						endCleanSession(clientId);
					}
					return command.call();
				}
				catch (Throwable error) {
					taskFailed(clientId, action, error);
					return clientId;
				}
				finally {
					routing.depth--;
					if (routing.depth > 0) {
						routing.publisher = outer;
						routing.atMostOnce = outerAtMostOnce;
					}
				}
			});
			if (!result.isSuccess() && publisher != null && !atMostOnce) {
				// The engine leaves this PUBLISH unanswered so that the client sends it again.
				try {
					publisher.eventLoop()
						.execute(() -> publisher.pipeline().fireUserEventTriggered(AnswerWithheld.INSTANCE));
				}
				catch (java.util.concurrent.RejectedExecutionException stopping) {
					// The network threads are stopping: nothing will be answered any more.
				}
			}
			return result;
		}

	}

	/**
	 * A session started with clean session 1 lasts as long as its connection (MQTT-3.1.2-6). A
	 * new CONNECT with the same client id can reach the session loop before the end of that
	 * connection does (its DISCONNECT or close is read on another network thread), or while it
	 * is still open (a take-over): the engine would then resume that session for a clean
	 * session 0 CONNECT, answer session present 1 and keep what it held. It is ended here first,
	 * on the session loop, as the end of its connection would have: the connection is closed and
	 * the session's state removed.
	 */
	private void endCleanSession(String clientId) {
		Session old = this.sessions.retrieve(clientId);
		if (old == null || !old.isClean() || !old.expireImmediately()) {
			return;
		}
		if (old.connected()) {
			old.closeImmediately();
		}
		if (old.disconnected()) {
			this.sessions.connectionClosed(old);
		}
	}

	/**
	 * Which client's PUBLISH the current thread is routing, so that a subscriber's queue knows
	 * whose message it takes (for back-pressure). The hub's handler sets it on the publisher's
	 * network thread while the engine takes the PUBLISH ({@link #mqttHandler}); every command
	 * routed from there to a session loop carries it along, and so on to the commands those
	 * route in turn (a QoS 1 PUBLISH runs on the publisher's loop and routes one command per
	 * subscriber loop). A command that runs inline (same loop) puts back the outer one's value;
	 * the outermost leaves its own set, because the engine completes a QoS 2 PUBLISH in a
	 * callback that runs right after the command, outside it.
	 */
	private static final class Routing {

		static final ThreadLocal<Routing> CURRENT = ThreadLocal.withInitial(Routing::new);

		io.netty.channel.Channel publisher;

		/** The PUBLISH being routed is QoS 0 (so is every copy of it). */
		boolean atMostOnce;

		int depth;

	}

	/** Never throws: it runs in the guard itself. */
	private void taskFailed(String clientId, String action, Throwable error) {
		String loop = Thread.currentThread().getName();
		try {
			if (error instanceof InterruptedException) {
				// The loops are being stopped: let the loop see it and end as the engine intends.
				Thread.currentThread().interrupt();
				return;
			}
			boolean theClientsFault = !(error instanceof VirtualMachineError) || error instanceof StackOverflowError;
			String outcome;
			if (!theClientsFault) {
				outcome = "no connection closed (the virtual machine is short of resources)";
			}
			else if (closeConnectionOf(clientId)) {
				outcome = "closed the client's connection";
			}
			else {
				outcome = "no connection to close";
			}
			this.failureLog.failed(loop, action, clientId, error, outcome, theClientsFault);
		}
		catch (Throwable ex) {
			// The guard must not fail in turn: the loop would end after all.
		}
		try {
			this.taskFailures.taskFailed(loop, error);
		}
		catch (Throwable ex) {
			// Likewise.
		}
	}

	/** Closes the network connection of {@code clientId}'s session (on its session loop); false when none. */
	private boolean closeConnectionOf(String clientId) throws IllegalAccessException {
		SessionRegistry registry = this.sessions;
		Session session = (clientId != null && registry != null) ? registry.retrieve(clientId) : null;
		Object connection = (session != null) ? SESSION_CONNECTION.get(session) : null;
		if (connection instanceof MQTTConnection mqttConnection) {
			// Only the channel: the engine then cleans up as after any lost connection.
			mqttConnection.dropConnection();
			return true;
		}
		return false;
	}

	/**
	 * One line per failed task, without stack trace (a stack overflow's has a thousand frames)
	 * and with the client's strings escaped; at most {@value #LINES_PER_MINUTE} lines a minute,
	 * so that a client cannot flood the log (the next line after that minute says how many were
	 * left out).
	 */
	private static final class TaskFailureLog {

		private static final int LINES_PER_MINUTE = 20;

		private static final org.slf4j.Logger logger = LoggerFactory.getLogger(MoquetteCore.class);

		private long windowStart = System.nanoTime();

		private int lines;

		private int leftOut;

		synchronized void failed(String loop, String action, String clientId, Throwable error, String outcome,
				boolean warning) {
			long now = System.nanoTime();
			if (now - this.windowStart >= TimeUnit.MINUTES.toNanos(1)) {
				if (this.leftOut > 0) {
					logger.warn("{} more broker engine task failures in the last minute were not logged", this.leftOut);
				}
				this.windowStart = now;
				this.lines = 0;
				this.leftOut = 0;
			}
			if (this.lines >= LINES_PER_MINUTE) {
				this.leftOut++;
				return;
			}
			this.lines++;
			String message = error.getMessage();
			String text = "A broker engine task failed on {} (action '{}', client '{}'): {}; {}; the loop keeps running";
			Object[] arguments = { LogSafe.text(loop), LogSafe.text(action), LogSafe.text(clientId),
					error.getClass().getName() + ((message != null) ? ": " + LogSafe.text(message) : ""), outcome };
			if (warning) {
				logger.warn(text, arguments);
			}
			else {
				logger.error(text, arguments);
			}
		}

	}

	/**
	 * Makes the session of a client id that just connected agree with the subscription tree
	 * (see {@link CheckedSubscriptions#reconcile}). Must run on the client's session loop (see
	 * {@link #afterQueuedCommands}), after its CONNECT and before anything else it sent.
	 */
	public void reconcileSubscriptions(String clientId) {
		try {
			Session session = this.sessions.retrieve(clientId);
			if (session != null) {
				this.subscriptions.reconcile(session);
			}
		}
		catch (RuntimeException ex) {
			// The connection goes on with the engine's own view of its subscriptions.
			LoggerFactory.getLogger(MoquetteCore.class)
				.warn("Could not reconcile the subscriptions of a session: {}", ex.toString());
		}
	}

	/**
	 * Subscriptions the engine holds for a client id, whether its client is connected or not,
	 * those restored from the store at start-up included.
	 */
	public int subscriptionCount(String clientId) {
		return this.subscriptions.count(clientId);
	}

	/** Whether the engine holds a subscription of this client id to exactly this filter. */
	public boolean holdsSubscription(String clientId, String filter) {
		return this.subscriptions.holds(clientId, filter);
	}

	/** The client id the engine knows a connection by, or null before it accepted its CONNECT. */
	public String clientIdOf(io.netty.channel.Channel channel) {
		return NettyUtils.clientID(channel);
	}

	/**
	 * Ends a session for good: closes its connection if it has one, and drops its subscriptions,
	 * queue and in-flight messages, as a clean session would (on the session's own loop).
	 * @return whether the engine had such a session
	 */
	public java.util.concurrent.CompletableFuture<Boolean> deleteSession(String clientId) {
		java.util.concurrent.CompletableFuture<Boolean> deleted = new java.util.concurrent.CompletableFuture<>();
		boolean queued = afterQueuedCommands(clientId, () -> {
			try {
				Session session = this.sessions.retrieve(clientId);
				if (session == null) {
					deleted.complete(false);
					return;
				}
				if (!session.disconnected()) {
					session.closeImmediately();
				}
				if (session.assignState(Session.SessionStatus.DISCONNECTED, Session.SessionStatus.DESTROYED)) {
					for (io.moquette.broker.subscriptions.Subscription subscription : session.getSubscriptions()) {
						this.subscriptions.removeSubscription(subscription.getTopicFilter(), clientId);
					}
					this.sessions.remove(clientId);
				}
				deleted.complete(true);
			}
			catch (RuntimeException ex) {
				deleted.completeExceptionally(ex);
			}
		});
		if (!queued) {
			deleted.completeExceptionally(new IllegalStateException("The broker is overloaded"));
		}
		return deleted;
	}

	public boolean disconnectClient(String clientId) {
		return this.sessions.dropSession(clientId, false);
	}

	/**
	 * Whether the topic name {@code topic} is matched by {@code filter} as the engine matches
	 * retained messages (a leading wildcard matches {@code $} topics too).
	 */
	public static boolean retainedMatch(String topic, String filter) {
		return new Topic(topic).match(new Topic(filter));
	}

	/** The retained message of one topic (no wildcards), loaded alone; null when there is none. */
	public RetainedMessage retainedMessage(String topic) {
		return retainedMap().get(new Topic(topic));
	}

	/**
	 * The topics that have a retained message, each read once from the repository (which loads
	 * the stored pages one after the other, not all at once); for checking the account of the
	 * {@link RetainedLedger} at start-up.
	 */
	public Iterable<String> retainedTopics() {
		Map<Topic, RetainedMessage> map = retainedMap();
		return () -> map.keySet().stream().map(Topic::toString).iterator();
	}

	/** The topics with a retained message: from the hub's account when it keeps one, else from the repository. */
	private Iterable<String> indexedRetainedTopics() {
		Iterable<String> topics = this.retainedLedger.topics();
		return (topics != null) ? topics : retainedTopics();
	}

	@SuppressWarnings("unchecked")
	private Map<Topic, RetainedMessage> retainedMap() {
		try {
			return (Map<Topic, RetainedMessage>) RETAINED_MAP.get(this.retained.getClass()).get(this.retained);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Decides from now on which retained messages are stored and hears of every store and
	 * removal; set before the first client connects.
	 */
	public void governRetained(RetainedLedger ledger) {
		this.retainedLedger = ledger;
	}

	/**
	 * The hub's account of retained messages: it may refuse to store one (the message is still
	 * delivered, just not kept), and it hears of each store and removal in the order they are
	 * applied to the repository.
	 */
	public interface RetainedLedger {

		/** Stores everything and keeps no account. */
		RetainedLedger UNLIMITED = new RetainedLedger() {

			@Override
			public boolean store(String topic, String owner, int bytes) {
				return true;
			}

			@Override
			public void removed(String topic) {
			}

		};

		/**
		 * Asked before {@code topic}'s retained message is replaced by one of {@code bytes}
		 * payload bytes from {@code owner}; false refuses it (the previous one stays).
		 * @param owner the publishing user name, null for an anonymous client, or a name of the
		 * hub's own for messages from the broker itself
		 */
		boolean store(String topic, String owner, int bytes);

		/** {@code topic}'s retained message was removed. */
		void removed(String topic);

		/**
		 * The topics with a retained message, as this account knows them (to find matches
		 * without loading payloads), or null when it keeps no account.
		 */
		default Iterable<String> topics() {
			return null;
		}

	}

	private void storeRetained(Topic topic, String owner, MqttQoS qos, ByteBuf payload) {
		// Built directly: the message builder would copy the payload (the repository copies it once more).
		MqttPublishMessage retained = new MqttPublishMessage(
				new io.netty.handler.codec.mqtt.MqttFixedHeader(io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH,
						false, qos, true, 0),
				new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(topic.toString(), 0),
				payload.retainedSlice());
		try {
			synchronized (this.retainedWrites) {
				if (this.retainedLedger.store(topic.toString(), owner, payload.readableBytes())) {
					this.retained.retain(topic, retained);
				}
			}
		}
		finally {
			retained.release();
		}
	}

	private void removeRetained(Topic topic) {
		synchronized (this.retainedWrites) {
			this.retained.cleanRetained(topic);
			this.retainedLedger.removed(topic.toString());
		}
	}

	/**
	 * How many retained messages are stored, read from the size of the repository's map: no
	 * message is loaded or copied (the repositories offer no count, only copies of matches).
	 */
	public long retainedCount() {
		return retainedMap().size();
	}

	/** Removes the retained message of one topic (no wildcards). */
	public void cleanRetained(String topic) {
		removeRetained(new Topic(topic));
	}

	/**
	 * Publishes as the broker itself; the payload is released. A retained message is stored by
	 * the hub (at any QoS, MQTT-3.3.1-5; the engine would only clear the topic at QoS 0) and
	 * counted against {@code owner}; an empty one removes the topic's retained message.
	 * @param owner who the retained message is counted against (see {@link RetainedLedger#store})
	 */
	public RoutingResults internalPublish(MqttPublishMessage message, String owner) {
		try {
			if (message.fixedHeader().isRetain()) {
				Topic topic = new Topic(message.variableHeader().topicName());
				if (message.payload().isReadable()) {
					storeRetained(topic, owner, message.fixedHeader().qosLevel(), message.payload());
				}
				else {
					removeRetained(topic);
				}
			}
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
		step(this::releaseSessionBuffers);
		try {
			this.scheduler.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The engine releases the buffers of messages in flight only when a session is cleaned: a
	 * persistent session with unacknowledged messages keeps them past a stop (its messages are
	 * in the store, the hub's in-flight records included), so they would never be released. Runs
	 * once the session loops have stopped.
	 */
	private void releaseSessionBuffers() {
		try {
			Map<?, ?> pool = (Map<?, ?>) SESSION_POOL.get(this.sessions);
			for (Object session : pool.values()) {
				Map<?, ?> inflight = (Map<?, ?>) SESSION_INFLIGHT.get(session);
				for (Object message : inflight.values()) {
					try {
						((SessionRegistry.EnqueuedMessage) message).release();
					}
					catch (io.netty.util.IllegalReferenceCountException alreadyReleased) {
						// Nothing held.
					}
				}
				inflight.clear();
				Map<?, ?> receiving = (Map<?, ?>) SESSION_QOS2_RECEIVING.get(session);
				for (Object message : receiving.values()) {
					io.netty.util.ReferenceCountUtil.safeRelease(message);
				}
				receiving.clear();
			}
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
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

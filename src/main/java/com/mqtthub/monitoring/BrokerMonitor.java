package com.mqtthub.monitoring;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import com.mqtthub.broker.BrokerLimits;
import com.mqtthub.broker.BrokerObserver;
import com.mqtthub.broker.ClientConnection;
import com.mqtthub.broker.ConnectionId;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.EngineLoops;
import com.mqtthub.broker.Limit;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * The broker's events turned into figures. Events only bump {@link LongAdder}s and update the
 * client registry and topic tree; rates, the history and the retained count are computed once
 * a second on a scheduler of their own, never per message.
 */
public class BrokerMonitor implements BrokerObserver, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(BrokerMonitor.class);

	/** Seconds between counts of the retained messages (the size of the store's map, no copies). */
	private static final int RETAINED_COUNT_EVERY = 5;

	private final EmbeddedBroker broker;

	private final ClientRegistry clients = new ClientRegistry();

	private final TopicTree topicTree;

	private final LongAdder connectionsTotal = new LongAdder();

	private final LongAdder connectionsRefused = new LongAdder();

	private final LongAdder[] messagesIn = adders(3);

	private final LongAdder[] messagesOut = adders(3);

	private final LongAdder bytesIn = new LongAdder();

	private final LongAdder bytesOut = new LongAdder();

	private final LongAdder denied = new LongAdder();

	private final LongAdder deliveriesDenied = new LongAdder();

	private final LongAdder takeoversRefused = new LongAdder();

	private final LongAdder answeredForEngine = new LongAdder();

	private final int historySize;

	private final ArrayDeque<Snapshot> history = new ArrayDeque<>();

	private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

	private final ScheduledExecutorService ticker;

	private volatile long retained;

	private volatile Snapshot latest;

	private long ticks;

	public BrokerMonitor(EmbeddedBroker broker, MonitoringProperties properties, MeterRegistry registry) {
		this.broker = broker;
		this.topicTree = new TopicTree(properties.getTopicTree().getMaxTopics(),
				properties.getTopicTree().getMaxPayloadBytes());
		this.historySize = Math.max(10, properties.getHistorySeconds());
		registerMeters(registry);
		this.latest = snapshot(System.currentTimeMillis(), null);
		this.ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "broker-monitor");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
	}

	private static LongAdder[] adders(int count) {
		LongAdder[] adders = new LongAdder[count];
		for (int i = 0; i < count; i++) {
			adders[i] = new LongAdder();
		}
		return adders;
	}

	private void registerMeters(MeterRegistry registry) {
		Gauge.builder("mqtthub.clients.connected", this.clients, ClientRegistry::connectedCount)
			.description("MQTT clients connected now")
			.register(registry);
		Gauge.builder("mqtthub.subscriptions", this.clients, ClientRegistry::subscriptionCount)
			.description("Subscriptions of the connected clients")
			.register(registry);
		Gauge.builder("mqtthub.retained.messages", this, (monitor) -> monitor.retained)
			.description("Retained messages (counted every few seconds)")
			.register(registry);
		Gauge.builder("mqtthub.topics.tracked", this.topicTree, TopicTree::size)
			.description("Topics in the topic tree")
			.register(registry);
		FunctionCounter.builder("mqtthub.connections", this.connectionsTotal, LongAdder::sum)
			.description("MQTT connections accepted")
			.register(registry);
		FunctionCounter.builder("mqtthub.connections.refused", this.connectionsRefused, LongAdder::sum)
			.description("MQTT connections refused")
			.register(registry);
		for (int qos = 0; qos < 3; qos++) {
			FunctionCounter.builder("mqtthub.messages.received", this.messagesIn[qos], LongAdder::sum)
				.description("PUBLISH packets received from clients")
				.tag("qos", String.valueOf(qos))
				.register(registry);
			FunctionCounter.builder("mqtthub.messages.sent", this.messagesOut[qos], LongAdder::sum)
				.description("PUBLISH packets sent to clients")
				.tag("qos", String.valueOf(qos))
				.register(registry);
		}
		FunctionCounter.builder("mqtthub.payload.received", this.bytesIn, LongAdder::sum)
			.description("Payload bytes received from clients")
			.baseUnit("bytes")
			.register(registry);
		FunctionCounter.builder("mqtthub.payload.sent", this.bytesOut, LongAdder::sum)
			.description("Payload bytes sent to clients")
			.baseUnit("bytes")
			.register(registry);
		FunctionCounter.builder("mqtthub.messages.denied", this.denied, LongAdder::sum)
			.description("PUBLISH packets denied by the topic rules")
			.register(registry);
		FunctionCounter.builder("mqtthub.deliveries.denied", this.deliveriesDenied, LongAdder::sum)
			.description("Messages withheld from subscribers whose owner may not read their topic")
			.register(registry);
		FunctionCounter.builder("mqtthub.sessions.takeovers.refused", this.takeoversRefused, LongAdder::sum)
			.description("CONNECTs refused because their client id names a session of another user")
			.register(registry);
		FunctionCounter.builder("mqtthub.engine.answers.rewritten", this.answeredForEngine, LongAdder::sum)
			.description("Answers (PUBACK, PUBREC, PUBCOMP, PUBREL) the engine dropped on a full connection,"
					+ " written by the hub once it had room")
			.register(registry);
		BrokerLimits limits = this.broker.getLimits();
		FunctionCounter.builder("mqtthub.messages.dropped", limits, BrokerLimits::droppedForSlowClients)
			.description("Messages dropped: their client did not read (QoS 0) or their session's queue was full")
			.tag("reason", "slow-client")
			.register(registry);
		FunctionCounter.builder("mqtthub.messages.dropped", limits, BrokerLimits::droppedForFullQueues)
			.description("Messages dropped: their client did not read (QoS 0) or their session's queue was full")
			.tag("reason", "queue-full")
			.register(registry);
		FunctionCounter.builder("mqtthub.publisher.pauses", limits, BrokerLimits::publisherPauses)
			.description("Times reading from a publisher was paused because a subscriber it feeds was behind")
			.register(registry);
		Gauge.builder("mqtthub.publishers.paused", limits, BrokerLimits::pausedPublishers)
			.description("Publishers whose reading is paused now because a subscriber they feed is behind")
			.register(registry);
		EngineLoops loops = this.broker.getEngineLoops();
		FunctionCounter.builder("mqtthub.engine.task.failures", loops, EngineLoops::taskFailures)
			.description("Tasks that failed on a session loop of the broker engine (logged, the loop kept running)")
			.register(registry);
		Gauge.builder("mqtthub.engine.loops.stuck", loops, (l) -> l.stuck().size())
			.description("Session loops of the broker engine that do not answer their probe within the timeout")
			.register(registry);
		for (Limit limit : Limit.values()) {
			FunctionCounter.builder("mqtthub.limit.refusals", limits, (l) -> l.refusals(limit))
				.description("Packets, messages or connections refused, dropped or closed because of a broker limit")
				.tag("limit", limit.tag())
				.register(registry);
		}
	}

	// Events (connection event loops and the engine's session loops)

	@Override
	public void connected(ConnectionId connection, ClientConnection client) {
		this.connectionsTotal.increment();
		this.clients.connected(connection, client);
	}

	@Override
	public void disconnected(ConnectionId connection, boolean clean) {
		this.clients.disconnected(connection);
	}

	@Override
	public void refused() {
		this.connectionsRefused.increment();
	}

	@Override
	public void subscribed(ConnectionId connection, List<String> filters) {
		this.clients.subscribed(connection, filters);
	}

	@Override
	public void unsubscribed(ConnectionId connection, List<String> filters) {
		this.clients.unsubscribed(connection, filters);
	}

	@Override
	public void received(ConnectionId connection, int qos, int payloadBytes) {
		this.messagesIn[Math.min(qos, 2)].increment();
		this.bytesIn.add(payloadBytes);
		this.clients.received(connection);
	}

	@Override
	public void delivered(ConnectionId connection, int qos, int payloadBytes) {
		this.messagesOut[Math.min(qos, 2)].increment();
		this.bytesOut.add(payloadBytes);
		this.clients.delivered(connection);
	}

	@Override
	public void denied(String clientId) {
		this.denied.increment();
	}

	@Override
	public void deliveryDenied() {
		this.deliveriesDenied.increment();
	}

	@Override
	public void answeredForEngine(int answers) {
		this.answeredForEngine.add(answers);
	}

	@Override
	public void takeoverRefused() {
		this.takeoversRefused.increment();
	}

	@Override
	public void routed(String topic, byte[] payloadHead, int payloadSize, int qos, boolean retain) {
		this.topicTree.record(topic, payloadHead, payloadSize, retain, System.currentTimeMillis());
	}

	@Override
	public int payloadBytesKept() {
		return this.topicTree.maxPayloadBytes();
	}

	// Once a second

	private void tick() {
		try {
			if (this.ticks++ % RETAINED_COUNT_EVERY == 0) {
				this.retained = this.broker.retainedCount();
			}
			this.topicTree.tick();
			Snapshot previous = this.latest;
			Snapshot now = snapshot(System.currentTimeMillis(), previous);
			this.latest = now;
			synchronized (this.history) {
				this.history.addLast(now);
				while (this.history.size() > this.historySize) {
					this.history.removeFirst();
				}
			}
			for (Consumer<Snapshot> listener : this.listeners) {
				listener.accept(now);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Computing the broker figures failed: {}", ex.toString(), ex);
		}
	}

	/** Counts the retained messages now, rather than at the next count. */
	public void recountRetained() {
		this.retained = this.broker.retainedCount();
	}

	private Snapshot snapshot(long time, Snapshot previous) {
		long[] in = new long[3];
		long[] out = new long[3];
		long[] inRate = new long[3];
		long[] outRate = new long[3];
		long inTotal = 0;
		long outTotal = 0;
		for (int qos = 0; qos < 3; qos++) {
			in[qos] = this.messagesIn[qos].sum();
			out[qos] = this.messagesOut[qos].sum();
			inTotal += in[qos];
			outTotal += out[qos];
		}
		long bytesInTotal = this.bytesIn.sum();
		long bytesOutTotal = this.bytesOut.sum();
		if (previous != null) {
			double seconds = Math.max(0.001, (time - previous.time()) / 1000.0);
			for (int qos = 0; qos < 3; qos++) {
				inRate[qos] = rate(in[qos], this.lastIn[qos], seconds);
				outRate[qos] = rate(out[qos], this.lastOut[qos], seconds);
			}
			Snapshot snapshot = new Snapshot(time, this.clients.connectedCount(), this.clients.subscriptionCount(),
					this.retained, this.connectionsTotal.sum(), this.connectionsRefused.sum(), inTotal, outTotal,
					bytesInTotal, bytesOutTotal, this.denied.sum(),
					rate(inTotal, previous.messagesInTotal(), seconds), rate(outTotal, previous.messagesOutTotal(), seconds),
					rate(bytesInTotal, previous.bytesInTotal(), seconds),
					rate(bytesOutTotal, previous.bytesOutTotal(), seconds), inRate, outRate);
			this.lastIn = in;
			this.lastOut = out;
			return snapshot;
		}
		this.lastIn = in;
		this.lastOut = out;
		return new Snapshot(time, this.clients.connectedCount(), this.clients.subscriptionCount(), this.retained,
				this.connectionsTotal.sum(), this.connectionsRefused.sum(), inTotal, outTotal, bytesInTotal,
				bytesOutTotal, this.denied.sum(), 0, 0, 0, 0, inRate, outRate);
	}

	private long[] lastIn = new long[3];

	private long[] lastOut = new long[3];

	private static long rate(long now, long before, double seconds) {
		return Math.round(Math.max(0, now - before) / seconds);
	}

	public Snapshot latest() {
		return this.latest;
	}

	/** The figures of the last seconds, oldest first. */
	public List<Snapshot> history() {
		synchronized (this.history) {
			return new ArrayList<>(this.history);
		}
	}

	/** Runs {@code listener} with every new snapshot, once a second, on the monitor's thread. */
	public void onSnapshot(Consumer<Snapshot> listener) {
		this.listeners.add(listener);
	}

	public ClientRegistry clients() {
		return this.clients;
	}

	public TopicTree topicTree() {
		return this.topicTree;
	}

	@Override
	public void destroy() {
		this.ticker.shutdownNow();
	}

}

package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.PublishTap;

import org.springframework.context.SmartLifecycle;

/**
 * The hub's bridges: taps the broker's published messages into each bridge's queue (in the
 * broker's store, before the publisher's acknowledgement), and runs the bridges' connections
 * between the broker's start and its stop. Bridges come from the configuration (fixed) and from
 * the database ({@link StoredBridges}: added, replaced and removed while the hub runs).
 */
public class BridgeService implements PublishTap, SmartLifecycle {

	/** Where a bridge's definition lives. */
	enum Source {

		/** {@code mqtthub.bridges} in the configuration: read-only at run time. */
		CONFIGURATION,
		/** The database, managed over the admin page and API. */
		DATABASE

	}

	private final EmbeddedBroker broker;

	/** Serializes changes (add, replace, remove, store opened, start, stop). */
	private final Object changes = new Object();

	/**
	 * Read for every published message on the broker's session loops, so it is never changed in
	 * place: each change installs a new map.
	 */
	private volatile Map<String, BridgeLink> links = Map.of();

	/** Each bridge's queue; kept when its link is replaced, so an edit loses nothing queued. */
	private final Map<String, BridgeQueue> queues = new HashMap<>();

	private final Set<String> configured = ConcurrentHashMap.newKeySet();

	private Store store;

	private BridgeMetrics metrics;

	private volatile boolean running;

	BridgeService(BridgesProperties properties, EmbeddedBroker broker, UnaryOperator<String> environment) {
		this.broker = broker;
		List<String> problems = BridgeDefinitions.problems(properties.getBridges(), environment);
		if (!problems.isEmpty()) {
			throw new IllegalStateException("The bridge settings are not usable: " + String.join("; ", problems));
		}
		for (Bridge definition : properties.getBridges()) {
			String password = (definition.getPasswordEnv() != null) ? environment.apply(definition.getPasswordEnv())
					: definition.getPassword();
			put(definition, password, Source.CONFIGURATION, null);
		}
	}

	/** Registers each bridge's meters, now and for bridges added later. */
	void setMetrics(BridgeMetrics metrics) {
		synchronized (this.changes) {
			this.metrics = metrics;
			this.links.keySet().forEach(metrics::add);
		}
	}

	/**
	 * Adds a bridge, or replaces the one of that name: the old link stops before the new one
	 * starts, and the new one takes over the queue with everything waiting in it.
	 * @param blocked why the bridge may not start (shown as its error), or null
	 */
	BridgeLink put(Bridge definition, String password, Source source, String blocked) {
		synchronized (this.changes) {
			String name = definition.getName();
			BridgeLink previous = this.links.get(name);
			BridgeLink next = new BridgeLink(definition, password, this::fromRemote,
					(previous != null) ? previous.counters() : new BridgeLink.Counters(), blocked, this::statusChanged);
			if (previous != null) {
				previous.stop();
			}
			if (this.store != null) {
				BridgeQueue queue = this.queues.get(name);
				if (queue == null) {
					queue = newQueue(this.store, definition);
					this.queues.put(name, queue);
				}
				else {
					queue.limit(definition.getQueue().getMaxBytes().toBytes(), definition.getQueue().getMaxMessages());
				}
				next.open(queue, commitRequest(this.store));
			}
			Map<String, BridgeLink> changed = new LinkedHashMap<>(this.links);
			changed.put(name, next);
			this.links = Collections.unmodifiableMap(changed);
			if (source == Source.CONFIGURATION) {
				this.configured.add(name);
			}
			if (previous == null && this.metrics != null) {
				this.metrics.add(name);
			}
			if (this.running) {
				next.start();
			}
			return next;
		}
	}

	/**
	 * Stops and removes a bridge, and discards its queue.
	 * @return how many queued messages were discarded, -1 when no bridge has this name
	 */
	long remove(String name) {
		synchronized (this.changes) {
			BridgeLink link = this.links.get(name);
			if (link == null) {
				return -1;
			}
			link.stop();
			Map<String, BridgeLink> changed = new LinkedHashMap<>(this.links);
			changed.remove(name);
			this.links = Collections.unmodifiableMap(changed);
			this.configured.remove(name);
			if (this.metrics != null) {
				this.metrics.remove(name);
			}
			// Its status topic goes with it: an empty retained message deletes the retained one.
			this.broker.publishFromOutside(BridgeStatus.topic(name), new byte[0], 1, true, () -> {
			});
			BridgeQueue queue = this.queues.remove(name);
			long discarded = (queue != null) ? queue.discard() : 0;
			if (this.store != null) {
				commitRequest(this.store).run();
			}
			return discarded;
		}
	}

	Source source(String name) {
		return this.configured.contains(name) ? Source.CONFIGURATION : Source.DATABASE;
	}

	@Override
	public void storeOpened(Store store) {
		synchronized (this.changes) {
			this.store = store;
			this.queues.clear();
			for (BridgeLink link : this.links.values()) {
				BridgeQueue queue = newQueue(store, link.definition());
				this.queues.put(link.name(), queue);
				link.open(queue, commitRequest(store));
			}
		}
	}

	private static BridgeQueue newQueue(Store store, Bridge definition) {
		return new BridgeQueue(store.map("bridge_" + definition.getName()), definition.getQueue().getMaxBytes().toBytes(),
				definition.getQueue().getMaxMessages());
	}

	private static Runnable commitRequest(Store store) {
		return () -> store.afterCommit(() -> {
		});
	}

	@Override
	public boolean wantsMessages() {
		return !this.links.isEmpty();
	}

	@Override
	public void published(String clientId, String topic, byte[] payload, int qos, boolean retain) {
		for (BridgeLink link : this.links.values()) {
			link.offer(clientId, topic, payload, qos, retain);
		}
	}

	/**
	 * Two hubs bridged to each other: what a bridge carries to the other hub itself is not also
	 * delivered to the other hub's bridge here, which would bring it there a second time.
	 */
	@Override
	public boolean mayDeliver(String clientId, String topic) {
		for (BridgeLink link : this.links.values()) {
			if (link.isPeer(clientId) && link.forwards(topic)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Publishes a bridge's new state, retained, in the hub only: it is not offered to the bridges,
	 * so no remote learns of the hub's bridges.
	 */
	private void statusChanged(BridgeStatus status) {
		this.broker.publishFromOutside(status.topic(), status.payload(), 1, true, () -> {
		});
	}

	/**
	 * A message from a remote: queued for the other bridges whose rules send it out (never back
	 * out over the bridge it came from), then published in the hub.
	 */
	private boolean fromRemote(BridgeLink from, String topic, byte[] payload, int qos, boolean retain,
			Runnable stored) {
		for (BridgeLink link : this.links.values()) {
			if (link.name().equals(from.name())) {
				continue;
			}
			link.offer(null, topic, payload, qos, retain);
		}
		return this.broker.publishFromOutside(topic, payload, qos, retain, stored);
	}

	List<BridgeLink> links() {
		return new ArrayList<>(this.links.values());
	}

	Optional<BridgeLink> link(String name) {
		return Optional.ofNullable(this.links.get(name));
	}

	@Override
	public void start() {
		synchronized (this.changes) {
			this.links.values().forEach(BridgeLink::start);
			this.running = true;
		}
	}

	@Override
	public void stop() {
		synchronized (this.changes) {
			this.links.values().forEach(BridgeLink::stop);
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** After the broker starts (its store holds the queues), before it stops. */
	@Override
	public int getPhase() {
		return EmbeddedBroker.PHASE + 1;
	}

}

package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.PublishTap;

import org.springframework.context.SmartLifecycle;

/**
 * The hub's bridges: taps the broker's published messages into each bridge's queue (in the
 * broker's store, before the publisher's acknowledgement), and runs the bridges' connections
 * between the broker's start and its stop.
 */
public class BridgeService implements PublishTap, SmartLifecycle {

	private final EmbeddedBroker broker;

	private final Map<String, BridgeLink> links = new LinkedHashMap<>();

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
			this.links.put(definition.getName(), new BridgeLink(definition, password, this::fromRemote));
		}
		if (!this.links.isEmpty()) {
			// Without bridges the broker's commits stay as they are (no tap, no extra wait).
			broker.setPublishTap(this);
		}
	}

	@Override
	public void storeOpened(Store store) {
		for (BridgeLink link : this.links.values()) {
			Bridge definition = link.definition();
			link.open(new BridgeQueue(store.map("bridge_" + link.name()), definition.getQueue().getMaxBytes().toBytes(),
					definition.getQueue().getMaxMessages()), () -> store.afterCommit(() -> {
					}));
		}
	}

	@Override
	public void published(String clientId, String topic, byte[] payload, int qos, boolean retain) {
		for (BridgeLink link : this.links.values()) {
			link.offer(topic, payload, qos, retain);
		}
	}

	/**
	 * A message from a remote: queued for the other bridges whose rules send it out (never back
	 * out over the bridge it came from), then published in the hub.
	 */
	private boolean fromRemote(BridgeLink from, String topic, byte[] payload, int qos, boolean retain,
			Runnable stored) {
		for (BridgeLink link : this.links.values()) {
			if (link != from) {
				link.offer(topic, payload, qos, retain);
			}
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
		this.links.values().forEach(BridgeLink::start);
		this.running = true;
	}

	@Override
	public void stop() {
		this.links.values().forEach(BridgeLink::stop);
		this.running = false;
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

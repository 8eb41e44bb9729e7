package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Each bridge's figures in Micrometer (Prometheus), tagged with the bridge's name. The meters
 * look the bridge up by name at each reading, so they follow an edited bridge (whose link is
 * replaced) and are removed with a deleted one.
 */
final class BridgeMetrics {

	private final MeterRegistry registry;

	private final BridgeService bridges;

	/**
	 * Each bridge's meters, by name. Micrometer holds a meter's state object (here the name)
	 * weakly: this map's key keeps it.
	 */
	private final Map<String, List<Meter>> meters = new ConcurrentHashMap<>();

	BridgeMetrics(MeterRegistry registry, BridgeService bridges) {
		this.registry = registry;
		this.bridges = bridges;
	}

	void add(String name) {
		List<Meter> added = new ArrayList<>();
		added.add(FunctionCounter.builder("mqtthub.bridge.messages.enqueued", name, (n) -> queued(n, BridgeQueue::enqueued))
			.tag("bridge", name)
			.description("Messages put into the bridge's queue")
			.register(this.registry));
		added.add(FunctionCounter.builder("mqtthub.bridge.messages.forwarded", name, (n) -> figure(n, BridgeLink::forwarded))
			.tag("bridge", name)
			.description("Messages the remote acknowledged (or sent at QoS 0)")
			.register(this.registry));
		added.add(FunctionCounter.builder("mqtthub.bridge.messages.dropped", name, (n) -> queued(n, BridgeQueue::dropped))
			.tag("bridge", name)
			.description("Oldest messages dropped because the queue was full")
			.register(this.registry));
		added.add(FunctionCounter.builder("mqtthub.bridge.messages.received", name, (n) -> figure(n, BridgeLink::received))
			.tag("bridge", name)
			.description("Messages received from the remote and published in the hub")
			.register(this.registry));
		added.add(FunctionCounter.builder("mqtthub.bridge.connect.attempts", name, (n) -> figure(n, BridgeLink::attempts))
			.tag("bridge", name)
			.description("Connection attempts to the remote")
			.register(this.registry));
		added.add(Gauge.builder("mqtthub.bridge.messages.inflight", name, (n) -> figure(n, BridgeLink::inFlight))
			.tag("bridge", name)
			.description("Messages sent to the remote and not yet acknowledged")
			.register(this.registry));
		added.add(Gauge.builder("mqtthub.bridge.queue.messages", name, (n) -> queued(n, BridgeQueue::size))
			.tag("bridge", name)
			.register(this.registry));
		added.add(Gauge.builder("mqtthub.bridge.queue.bytes", name, (n) -> queued(n, BridgeQueue::bytes))
			.tag("bridge", name)
			.baseUnit("bytes")
			.register(this.registry));
		added.add(Gauge.builder("mqtthub.bridge.queue.oldest.age", name, this::oldestAge)
			.tag("bridge", name)
			.baseUnit("seconds")
			.register(this.registry));
		added.add(Gauge
			.builder("mqtthub.bridge.connected", name,
					(n) -> figure(n, (l) -> (l.state() == BridgeState.CONNECTED) ? 1 : 0))
			.tag("bridge", name)
			.register(this.registry));
		this.meters.put(name, added);
	}

	void remove(String name) {
		List<Meter> removed = this.meters.remove(name);
		if (removed != null) {
			removed.forEach(this.registry::remove);
		}
	}

	private double figure(String name, ToDoubleFunction<BridgeLink> figure) {
		return this.bridges.link(name).map(figure::applyAsDouble).orElse(0.0);
	}

	private double queued(String name, ToLongFunction<BridgeQueue> figure) {
		return figure(name, (link) -> count(link, figure));
	}

	private double oldestAge(String name) {
		return figure(name, BridgeMetrics::linkOldestAge);
	}

	private static double count(BridgeLink link, ToLongFunction<BridgeQueue> figure) {
		BridgeQueue queue = link.queue();
		return (queue != null) ? figure.applyAsLong(queue) : 0;
	}

	private static double linkOldestAge(BridgeLink link) {
		BridgeQueue queue = link.queue();
		return (queue != null) ? queue.oldestAgeSeconds(System.currentTimeMillis()) : 0;
	}

}

package com.mqtthub.bridge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Each bridge's figures in Micrometer (Prometheus), tagged with the bridge's name. */
final class BridgeMetrics {

	private BridgeMetrics() {
	}

	static void register(MeterRegistry registry, BridgeService bridges) {
		for (BridgeLink link : bridges.links()) {
			String name = link.name();
			FunctionCounter.builder("mqtthub.bridge.messages.enqueued", link, (l) -> count(l, BridgeQueue::enqueued))
				.tag("bridge", name)
				.description("Messages put into the bridge's queue")
				.register(registry);
			FunctionCounter.builder("mqtthub.bridge.messages.forwarded", link, BridgeLink::forwarded)
				.tag("bridge", name)
				.description("Messages the remote acknowledged (or sent at QoS 0)")
				.register(registry);
			FunctionCounter.builder("mqtthub.bridge.messages.dropped", link, (l) -> count(l, BridgeQueue::dropped))
				.tag("bridge", name)
				.description("Oldest messages dropped because the queue was full")
				.register(registry);
			FunctionCounter.builder("mqtthub.bridge.messages.received", link, BridgeLink::received)
				.tag("bridge", name)
				.description("Messages received from the remote and published in the hub")
				.register(registry);
			FunctionCounter.builder("mqtthub.bridge.connect.attempts", link, BridgeLink::attempts)
				.tag("bridge", name)
				.description("Connection attempts to the remote")
				.register(registry);
			Gauge.builder("mqtthub.bridge.messages.inflight", link, BridgeLink::inFlight)
				.tag("bridge", name)
				.description("Messages sent to the remote and not yet acknowledged")
				.register(registry);
			Gauge.builder("mqtthub.bridge.queue.messages", link, (l) -> count(l, BridgeQueue::size))
				.tag("bridge", name)
				.register(registry);
			Gauge.builder("mqtthub.bridge.queue.bytes", link, (l) -> count(l, BridgeQueue::bytes))
				.tag("bridge", name)
				.baseUnit("bytes")
				.register(registry);
			Gauge.builder("mqtthub.bridge.queue.oldest.age", link, BridgeMetrics::oldestAge)
				.tag("bridge", name)
				.baseUnit("seconds")
				.register(registry);
			Gauge.builder("mqtthub.bridge.connected", link, (l) -> (l.state() == BridgeState.CONNECTED) ? 1 : 0)
				.tag("bridge", name)
				.register(registry);
		}
	}

	private static double count(BridgeLink link, java.util.function.ToLongFunction<BridgeQueue> figure) {
		BridgeQueue queue = link.queue();
		return (queue != null) ? figure.applyAsLong(queue) : 0;
	}

	private static double oldestAge(BridgeLink link) {
		BridgeQueue queue = link.queue();
		return (queue != null) ? queue.oldestAgeSeconds(System.currentTimeMillis()) : 0;
	}

}

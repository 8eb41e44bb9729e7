package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Each bridge's figures for the dashboard, once a second: state, queue, and the forwarded and
 * received messages per second (from the counters' growth since the previous second).
 */
final class BridgeTiles implements Supplier<List<BridgeTiles.Tile>> {

	record Tile(String name, boolean enabled, BridgeState state, String lastError, long queueMessages,
			long queueBytes, double oldestAgeSeconds, long forwardedPerSecond, long receivedPerSecond) {
	}

	private final BridgeService bridges;

	/** Per bridge: forwarded and received totals at the previous call, and its time. */
	private final Map<String, long[]> previous = new HashMap<>();

	BridgeTiles(BridgeService bridges) {
		this.bridges = bridges;
	}

	@Override
	public synchronized List<Tile> get() {
		long now = System.nanoTime();
		long millis = System.currentTimeMillis();
		List<Tile> tiles = new ArrayList<>();
		Map<String, long[]> seen = new HashMap<>();
		for (BridgeLink link : this.bridges.links()) {
			long forwarded = link.forwarded();
			long received = link.received();
			long[] before = this.previous.get(link.name());
			seen.put(link.name(), new long[] { forwarded, received, now });
			BridgeQueue queue = link.queue();
			tiles.add(new Tile(link.name(), link.definition().isEnabled(), link.state(), link.lastError(),
					(queue != null) ? queue.size() : 0, (queue != null) ? queue.bytes() : 0,
					(queue != null) ? queue.oldestAgeSeconds(millis) : 0, rate(before, forwarded, 0, now),
					rate(before, received, 1, now)));
		}
		this.previous.clear();
		this.previous.putAll(seen);
		return tiles;
	}

	private static long rate(long[] before, long total, int index, long now) {
		if (before == null || now <= before[2]) {
			return 0;
		}
		return Math.max(0, Math.round((total - before[index]) * 1e9 / (now - before[2])));
	}

}

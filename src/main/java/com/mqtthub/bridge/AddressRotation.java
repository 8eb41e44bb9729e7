package com.mqtthub.bridge;

import java.util.ArrayList;
import java.util.List;

import com.mqtthub.bridge.BridgesProperties.Failover;

/**
 * The order in which one connection attempt tries a bridge's addresses (the client tries them
 * in that order until one answers). In order: always from the first. Round robin: from the
 * address after the one used last, so that reconnects spread over the remotes; after an
 * attempt where none answered, from the next one round.
 */
final class AddressRotation {

	private final List<String> addresses;

	private final Failover failover;

	private int start;

	AddressRotation(List<String> addresses, Failover failover) {
		this.addresses = List.copyOf(addresses);
		this.failover = failover;
	}

	/** The addresses for the next attempt, the first to try first. */
	synchronized List<String> next() {
		List<String> order = new ArrayList<>(this.addresses.size());
		for (int i = 0; i < this.addresses.size(); i++) {
			order.add(this.addresses.get((this.start + i) % this.addresses.size()));
		}
		return order;
	}

	/** The attempt reached {@code address}. */
	synchronized void connected(String address) {
		int used = this.addresses.indexOf(address);
		if (this.failover == Failover.ROUND_ROBIN && used >= 0) {
			this.start = (used + 1) % this.addresses.size();
		}
	}

	/** No address of the attempt answered. */
	synchronized void failed() {
		if (this.failover == Failover.ROUND_ROBIN) {
			this.start = (this.start + 1) % this.addresses.size();
		}
	}

}

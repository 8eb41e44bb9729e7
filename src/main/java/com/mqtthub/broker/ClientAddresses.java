package com.mqtthub.broker;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real network address of each client. Connections relayed from the web port reach the
 * broker from inside this process; the relay registers each one here before it connects (with
 * the browser's address and its flow windows), so that lock-outs and logs name the browser, not
 * the relay.
 */
public final class ClientAddresses {

	private final Map<SocketAddress, RelayLink> relayed = new ConcurrentHashMap<>();

	/**
	 * @param relayAddress the local address of the relay's connection to the broker
	 * @param link the client behind it and its windows
	 */
	public void relayed(SocketAddress relayAddress, RelayLink link) {
		if (relayAddress != null && link != null) {
			this.relayed.put(relayAddress, link);
		}
	}

	public void forget(SocketAddress relayAddress) {
		if (relayAddress != null) {
			this.relayed.remove(relayAddress);
		}
	}

	/** Relayed connections whose client is known. */
	public int relayedConnections() {
		return this.relayed.size();
	}

	/** The relayed link behind a connection's remote address, or null. */
	RelayLink link(SocketAddress remote) {
		return (remote != null) ? this.relayed.get(remote) : null;
	}

	/** The client behind a connection's remote address. */
	SocketAddress resolve(SocketAddress remote) {
		RelayLink link = link(remote);
		return (link != null && link.client() != null) ? link.client() : remote;
	}

}

package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real network address of each client. Connections relayed from the web port reach the
 * broker from this process; the relay registers the browser's address for them here, so that
 * lock-outs and logs name the browser, not the relay.
 */
public final class ClientAddresses {

	private final Map<SocketAddress, InetSocketAddress> relayed = new ConcurrentHashMap<>();

	/**
	 * @param relayAddress the local address of the relay's connection to the broker
	 * @param client the address of the client behind it
	 */
	public void relayed(SocketAddress relayAddress, InetSocketAddress client) {
		if (relayAddress != null && client != null) {
			this.relayed.put(relayAddress, client);
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

	/** The client behind a connection's remote address. */
	SocketAddress resolve(SocketAddress remote) {
		InetSocketAddress client = (remote != null) ? this.relayed.get(remote) : null;
		return (client != null) ? client : remote;
	}

}

package com.mqtthub.broker;

import java.net.InetSocketAddress;

/**
 * What the broker needs to know of one connection relayed in-process from the web port: the
 * client behind it, and the windows that bound what is in flight in each direction.
 */
public final class RelayLink {

	private final InetSocketAddress client;

	private final FlowWindow toBroker;

	private final FlowWindow toClient;

	/** @param windowBytes the most bytes in flight, not yet taken, in each direction */
	public RelayLink(InetSocketAddress client, long windowBytes) {
		this.client = client;
		this.toBroker = new FlowWindow(windowBytes);
		this.toClient = new FlowWindow(windowBytes);
	}

	public InetSocketAddress client() {
		return this.client;
	}

	/** From the client to the broker: the relay sends, the broker takes as it reads. */
	public FlowWindow toBroker() {
		return this.toBroker;
	}

	/** From the broker to the client: the broker sends, the relay takes as the client's socket does. */
	public FlowWindow toClient() {
		return this.toClient;
	}

}

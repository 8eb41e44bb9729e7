package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;

/**
 * What a client said about itself in its CONNECT, and where it connected from. Kept for every
 * open connection, so it holds what it already has (the channel's address object, the time as
 * two numbers) and makes the address text and the {@link Instant} only when asked: an idle
 * connection holds no string or instant of its own for them.
 */
public final class ClientConnection {

	private final String clientId;

	private final String username;

	/** Shared with the channel (for a relayed connection, with the relay). */
	private final SocketAddress remote;

	private final String protocolVersion;

	private final int keepAliveSeconds;

	private final boolean cleanSession;

	private final long connectedAtSecond;

	private final int connectedAtNano;

	/**
	 * @param remote the client's address (for a relayed connection the browser's)
	 * @param protocolVersion "3.1" or "3.1.1"
	 */
	public ClientConnection(String clientId, String username, SocketAddress remote, String protocolVersion,
			int keepAliveSeconds, boolean cleanSession, Instant connectedAt) {
		this.clientId = clientId;
		this.username = username;
		this.remote = remote;
		this.protocolVersion = protocolVersion;
		this.keepAliveSeconds = keepAliveSeconds;
		this.cleanSession = cleanSession;
		this.connectedAtSecond = connectedAt.getEpochSecond();
		this.connectedAtNano = connectedAt.getNano();
	}

	public String clientId() {
		return this.clientId;
	}

	public String username() {
		return this.username;
	}

	/** The client's address as host:port (for a relayed connection the browser's). */
	public String remoteAddress() {
		if (this.remote instanceof InetSocketAddress address) {
			return address.getHostString() + ":" + address.getPort();
		}
		return String.valueOf(this.remote);
	}

	/** "3.1" or "3.1.1". */
	public String protocolVersion() {
		return this.protocolVersion;
	}

	public int keepAliveSeconds() {
		return this.keepAliveSeconds;
	}

	public boolean cleanSession() {
		return this.cleanSession;
	}

	public Instant connectedAt() {
		return Instant.ofEpochSecond(this.connectedAtSecond, this.connectedAtNano);
	}

}

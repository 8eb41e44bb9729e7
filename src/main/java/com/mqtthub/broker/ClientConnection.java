package com.mqtthub.broker;

import java.time.Instant;

/**
 * What a client said about itself in its CONNECT, and where it connected from.
 * @param protocolVersion "3.1" or "3.1.1"
 * @param remoteAddress the client's address (for a relayed connection the browser's)
 */
public record ClientConnection(String clientId, String username, String remoteAddress, String protocolVersion,
		int keepAliveSeconds, boolean cleanSession, Instant connectedAt) {
}

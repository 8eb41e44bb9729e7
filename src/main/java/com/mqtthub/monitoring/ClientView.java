package com.mqtthub.monitoring;

import java.time.Instant;
import java.util.List;

/**
 * One connected client as the admin pages and the API show it.
 * @param connection the broker's id of the network connection (two during a takeover)
 */
public record ClientView(long connection, String clientId, String username, String remoteAddress,
		String protocolVersion, int keepAliveSeconds, boolean cleanSession, Instant connectedAt,
		List<String> subscriptions, long messagesIn, long messagesOut) {
}

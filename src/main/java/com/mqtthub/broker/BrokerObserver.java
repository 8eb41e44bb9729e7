package com.mqtthub.broker;

import java.util.List;

/**
 * What the broker reports about its connections and messages, in the hub's own types. Every
 * method is called on a connection's event loop (or, for {@link #routed}, on the engine's
 * session loop that routed the message, several of them at once) and must return quickly
 * without blocking: count, put into a map, and leave anything heavier to a scheduler.
 * <p>
 * A connection is identified by a {@link ConnectionId}, not by its client id: when a client
 * connects again with the same id (a takeover), both connections exist for a moment.
 */
public interface BrokerObserver {

	/** Observes nothing. */
	BrokerObserver NONE = new BrokerObserver() {
	};

	/** The broker accepted a connection and its CONNACK is written. */
	default void connected(ConnectionId connection, ClientConnection client) {
	}

	/**
	 * A connection that was {@link #connected} ended.
	 * @param clean the client said DISCONNECT; otherwise the connection was lost or closed by the broker
	 */
	default void disconnected(ConnectionId connection, boolean clean) {
	}

	/** A CONNECT was refused (any CONNACK other than accepted). */
	default void refused() {
	}

	/** The broker granted these filters (SUBACK). */
	default void subscribed(ConnectionId connection, List<String> filters) {
	}

	/** The client unsubscribed these filters (UNSUBACK). */
	default void unsubscribed(ConnectionId connection, List<String> filters) {
	}

	/** A client sent a PUBLISH (before authorization). */
	default void received(ConnectionId connection, int qos, int payloadBytes) {
	}

	/** The broker sent a PUBLISH to a client. */
	default void delivered(ConnectionId connection, int qos, int payloadBytes) {
	}

	/** A message was not delivered to a subscriber whose owner may not read its topic. */
	default void deliveryDenied() {
	}

	/**
	 * Answers (PUBACK, PUBREC, PUBCOMP, PUBREL) that the engine dropped because the client's
	 * connection was full, written by the hub once it had room.
	 */
	default void answeredForEngine(int answers) {
	}

	/** A CONNECT was refused because its client id names another user's session. */
	default void takeoverRefused() {
	}

	/** A PUBLISH was denied by the topic rules. */
	default void denied(String clientId) {
	}

	/**
	 * A message passed authorization and is being routed to subscribers. The payload array is
	 * a copy of at most {@link #payloadBytesKept()} bytes and may be kept.
	 * @param payloadSize the full size of the payload
	 */
	default void routed(String topic, byte[] payloadHead, int payloadSize, int qos, boolean retain) {
	}

	/** How many bytes of each routed payload {@link #routed} wants. */
	default int payloadBytesKept() {
		return 0;
	}

}

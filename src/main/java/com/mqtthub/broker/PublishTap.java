package com.mqtthub.broker;

import java.util.Map;

/**
 * Sees every message published to the hub (by its clients or over its HTTP API), in a way that
 * lets it store something about the message before the publisher's acknowledgement: what it
 * writes into a {@link Store} map from {@link #published} is committed before the PUBACK or
 * PUBREC of that message is sent.
 */
public interface PublishTap {

	/** Sees nothing. */
	PublishTap NONE = new PublishTap() {

		@Override
		public void storeOpened(Store store) {
		}

		@Override
		public void published(String clientId, String topic, byte[] payload, int qos, boolean retain) {
		}

	};

	/** One tap for all of {@code taps}, asked in their order. */
	static PublishTap all(java.util.List<PublishTap> taps) {
		if (taps.isEmpty()) {
			return NONE;
		}
		if (taps.size() == 1) {
			return taps.get(0);
		}
		return new PublishTap() {

			@Override
			public void storeOpened(Store store) {
				taps.forEach((tap) -> tap.storeOpened(store));
			}

			@Override
			public void published(String clientId, String topic, byte[] payload, int qos, boolean retain) {
				for (PublishTap tap : taps) {
					if (tap.wantsMessages()) {
						tap.published(clientId, topic, payload, qos, retain);
					}
				}
			}

			@Override
			public boolean mayDeliver(String clientId, String topic) {
				for (PublishTap tap : taps) {
					if (!tap.mayDeliver(clientId, topic)) {
						return false;
					}
				}
				return true;
			}

			@Override
			public boolean wantsMessages() {
				for (PublishTap tap : taps) {
					if (tap.wantsMessages()) {
						return true;
					}
				}
				return false;
			}

		};
	}

	/** The broker opened its store; called on each start, before any listener accepts connections. */
	void storeOpened(Store store);

	/**
	 * A message passed authorization and was routed. Called for client messages on the engine's
	 * session loop that routed them (each client's in the order it sent them, several threads at
	 * once) and on the caller's thread for messages published over the HTTP API; must not block.
	 * @param clientId the publishing client, empty for the hub itself
	 */
	void published(String clientId, String topic, byte[] payload, int qos, boolean retain);

	/**
	 * Whether a message on {@code topic} may go to the client {@code clientId}'s subscriptions,
	 * asked on the engine's thread for every matching subscription, before the topic rules (so
	 * it must be quick). A bridge says no when it carries the message to that client's hub itself.
	 */
	default boolean mayDeliver(String clientId, String topic) {
		return true;
	}

	/**
	 * Whether {@link #published} wants messages at all right now; asked for every message before
	 * its payload is copied for the tap, so it must be quick.
	 */
	default boolean wantsMessages() {
		return true;
	}

	/** The broker's store, for maps of the tap's own. */
	interface Store {

		/** A map in the broker's store (in memory when persistence is off); keys iterate in order. */
		Map<Long, byte[]> map(String name);

		/** Runs {@code action} once everything stored so far is on disk. */
		void afterCommit(Runnable action);

	}

}

package com.mqtthub.broker;

import java.util.function.Supplier;

import io.moquette.broker.MoquetteCore;

/**
 * Decides, for every message the engine is about to deliver, whether the subscription may have
 * it: wildcards at the first level never match topics starting with {@code $} (MQTT-4.7.2-1), and
 * the session's owner must be allowed to read the topic now, by the topic rules as they are at
 * this message (so a deleted rule or a disabled user stops deliveries from the next message on).
 * Denied deliveries are counted, never logged one by one.
 */
final class DeliveryRules implements MoquetteCore.DeliveryCheck {

	private final Supplier<SessionOwners> owners;

	private final MqttAuthorizer authorizer;

	private final Runnable onDenied;

	DeliveryRules(Supplier<SessionOwners> owners, MqttAuthorizer authorizer, Runnable onDenied) {
		this.owners = owners;
		this.authorizer = authorizer;
		this.onDenied = onDenied;
	}

	@Override
	public boolean mayDeliver(String clientId, String filter, String topic) {
		if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
				&& (filter.charAt(0) == '#' || filter.charAt(0) == '+')) {
			return false;
		}
		SessionOwners known = this.owners.get();
		String owner = (known != null) ? known.ownerOf(clientId) : null;
		if (owner == null) {
			// A session stored before sessions had owners: its subscription was allowed when made.
			return true;
		}
		String username = SessionOwners.ANONYMOUS.equals(owner) ? null : owner;
		if (this.authorizer.canRead(username, clientId, topic)) {
			return true;
		}
		this.onDenied.run();
		return false;
	}

	/** Topics under {@code $SYS/} are the broker's own: clients may not publish there. */
	static boolean isReservedForTheBroker(String topic) {
		return topic.startsWith("$SYS/") || topic.equals("$SYS");
	}

}

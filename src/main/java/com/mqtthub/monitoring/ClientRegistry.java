package com.mqtthub.monitoring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import com.mqtthub.broker.ClientConnection;
import com.mqtthub.broker.ConnectionId;

/**
 * The connected clients, by connection: a client that connects again with its id (a takeover)
 * has two entries until the old connection has ended. Subscriptions of a session that outlives
 * its connection (clean session 0) are remembered until the client comes back.
 */
public final class ClientRegistry {

	private final Map<ConnectionId, Client> clients = new ConcurrentHashMap<>();

	/** Subscriptions of persistent sessions whose client is away, by client id. */
	private final Map<String, Set<String>> parked = new ConcurrentHashMap<>();

	void connected(ConnectionId id, ClientConnection connection) {
		Client client = new Client(id, connection);
		Set<String> kept = this.parked.remove(connection.clientId());
		if (kept != null && !connection.cleanSession() && !kept.isEmpty()) {
			client.subscriptions().addAll(kept);
		}
		this.clients.put(id, client);
	}

	void disconnected(ConnectionId id) {
		Client gone = this.clients.remove(id);
		if (gone == null || gone.connection.cleanSession() || gone.subscriptionsSoFar().isEmpty()) {
			return;
		}
		Client successor = byClientId(gone.connection.clientId());
		if (successor != null) {
			if (!successor.connection.cleanSession()) {
				successor.subscriptions().addAll(gone.subscriptionsSoFar());
			}
		}
		else {
			this.parked.put(gone.connection.clientId(), Set.copyOf(gone.subscriptionsSoFar()));
		}
	}

	void subscribed(ConnectionId id, List<String> filters) {
		Client client = this.clients.get(id);
		if (client != null) {
			client.subscriptions().addAll(filters);
		}
	}

	void unsubscribed(ConnectionId id, List<String> filters) {
		Client client = this.clients.get(id);
		if (client != null && client.subscriptions != null) {
			filters.forEach(client.subscriptions::remove);
		}
	}

	void received(ConnectionId id) {
		Client client = this.clients.get(id);
		if (client != null) {
			Client.IN.incrementAndGet(client);
		}
	}

	void delivered(ConnectionId id) {
		Client client = this.clients.get(id);
		if (client != null) {
			Client.OUT.incrementAndGet(client);
		}
	}

	private Client byClientId(String clientId) {
		for (Client client : this.clients.values()) {
			if (client.connection.clientId().equals(clientId)) {
				return client;
			}
		}
		return null;
	}

	public int connectedCount() {
		return this.clients.size();
	}

	/** Subscriptions of the connected clients. */
	public int subscriptionCount() {
		int count = 0;
		for (Client client : this.clients.values()) {
			count += client.subscriptionsSoFar().size();
		}
		return count;
	}

	/**
	 * The connected clients, oldest connection first.
	 * @param search part of a client id or user name (ignoring case), or null for all
	 */
	public List<ClientView> list(String search) {
		String needle = (search == null || search.isBlank()) ? null : search.trim().toLowerCase(Locale.ROOT);
		List<ClientView> views = new ArrayList<>();
		for (Client client : this.clients.values()) {
			ClientConnection c = client.connection;
			if (needle == null || c.clientId().toLowerCase(Locale.ROOT).contains(needle)
					|| (c.username() != null && c.username().toLowerCase(Locale.ROOT).contains(needle))) {
				views.add(new ClientView(client.id.value(), c.clientId(), c.username(), c.remoteAddress(),
						c.protocolVersion(), c.keepAliveSeconds(), c.cleanSession(), c.connectedAt(),
						client.subscriptionsSoFar().stream().sorted().toList(), client.messagesIn, client.messagesOut));
			}
		}
		views.sort(Comparator.comparingLong(ClientView::connection));
		return views;
	}

	private static final class Client {

		final ConnectionId id;

		final ClientConnection connection;

		// What an idle connection needs of these is next to nothing: the counters are fields of
		// the entry, the set is made with the first subscription.

		static final AtomicLongFieldUpdater<Client> IN = AtomicLongFieldUpdater.newUpdater(Client.class, "messagesIn");

		static final AtomicLongFieldUpdater<Client> OUT = AtomicLongFieldUpdater.newUpdater(Client.class,
				"messagesOut");

		private volatile Set<String> subscriptions;

		volatile long messagesIn;

		volatile long messagesOut;

		Client(ConnectionId id, ClientConnection connection) {
			this.id = id;
			this.connection = connection;
		}

		Set<String> subscriptions() {
			Set<String> set = this.subscriptions;
			if (set == null) {
				synchronized (this) {
					set = this.subscriptions;
					if (set == null) {
						set = ConcurrentHashMap.newKeySet();
						this.subscriptions = set;
					}
				}
			}
			return set;
		}

		/** The subscriptions, without making a set for a client that has none yet. */
		Set<String> subscriptionsSoFar() {
			Set<String> set = this.subscriptions;
			return (set != null) ? set : Set.of();
		}

	}

}

package com.mqtthub.broker;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which user each session belongs to: the user whose CONNECT created it. A CONNECT by another
 * user with the same client id is refused, so that nobody can take over another user's session,
 * its queued messages or its subscriptions by guessing a client id.
 * <p>
 * Owners of sessions that outlive their connection are kept in the broker's store with the
 * sessions; an owner of a clean session is forgotten when its connection ends.
 */
final class SessionOwners {

	/** The pseudo-user of anonymous clients (no user name can be empty). */
	static final String ANONYMOUS = "";

	private final Map<String, String> owners;

	/**
	 * The same owners in memory: {@link #ownerOf} runs for every delivered message and must not
	 * search the store each time.
	 */
	private final Map<String, String> known = new ConcurrentHashMap<>();

	/** The connection currently holding each session, to forget clean sessions' owners once. */
	private final Map<String, Object> holders = new ConcurrentHashMap<>();

	/**
	 * @param owners the stored owners (client id to user name)
	 * @param storedSessions the client ids of the sessions the broker still has: owners of any
	 * other (clean sessions cut short by a crash) are forgotten
	 */
	SessionOwners(Map<String, String> owners, Set<String> storedSessions) {
		this.owners = owners;
		// One by one: the store's maps cannot remove through their key views.
		for (String clientId : java.util.List.copyOf(this.owners.keySet())) {
			if (!storedSessions.contains(clientId)) {
				this.owners.remove(clientId);
			}
		}
		this.known.putAll(this.owners);
	}

	/**
	 * Claims the session {@code clientId} for {@code username}, held by {@code connection}.
	 * @param username the user name, or null for an anonymous client
	 * @return false when the session belongs to another user
	 */
	boolean claim(String clientId, String username, Object connection) {
		String user = (username != null) ? username : ANONYMOUS;
		String owner = this.owners.putIfAbsent(clientId, user);
		if (owner != null && !owner.equals(user)) {
			return false;
		}
		this.known.put(clientId, user);
		this.holders.put(clientId, connection);
		return true;
	}

	/**
	 * The connection that claimed {@code clientId} has ended; a clean session ends with it.
	 */
	void released(String clientId, boolean cleanSession, Object connection) {
		if (this.holders.remove(clientId, connection) && cleanSession) {
			this.owners.remove(clientId);
			this.known.remove(clientId);
		}
	}

	/** Forgets the owner of a session that was deleted. */
	void forget(String clientId) {
		this.owners.remove(clientId);
		this.known.remove(clientId);
	}

	/**
	 * The user name that owns {@code clientId}: {@link #ANONYMOUS} for an anonymous client, null
	 * when the session is not known (stored before sessions had owners).
	 */
	String ownerOf(String clientId) {
		return this.known.get(clientId);
	}

}

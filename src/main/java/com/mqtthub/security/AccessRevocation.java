package com.mqtthub.security;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.monitoring.DashboardStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Ends what a user was granted when an administrator takes it away (disables, demotes or
 * deletes the user, or changes its password): its web sessions, its live dashboard streams and
 * its MQTT connections, at once. A new login then has to pass with what the user has now.
 * <p>
 * Runs once the change is committed, so that a login right after it cannot read the old state.
 */
@Component
class AccessRevocation {

	private static final Logger logger = LoggerFactory.getLogger(AccessRevocation.class);

	private final EmbeddedBroker broker;

	private final SessionRegistry sessions;

	private final ObjectProvider<DashboardStream> streams;

	AccessRevocation(EmbeddedBroker broker, SessionRegistry sessions, ObjectProvider<DashboardStream> streams) {
		this.broker = broker;
		this.sessions = sessions;
		this.streams = streams;
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void usersChanged(UsersChangedEvent event) {
		if (!event.revokesAccess()) {
			return;
		}
		String username = event.username();
		int webSessions = 0;
		for (SessionInformation session : this.sessions.getAllSessions(username, false)) {
			session.expireNow();
			webSessions++;
		}
		DashboardStream dashboard = this.streams.getIfAvailable();
		int streams = (dashboard != null) ? dashboard.closeStreamsOf(username) : 0;
		int connections = this.broker.disconnectUser(username);
		if (webSessions + streams + connections > 0) {
			logger.info("Access of user '{}' revoked: ended {} web session(s), {} live stream(s), {} MQTT connection(s)",
					LogSafe.text(username), webSessions, streams, connections);
		}
	}

}

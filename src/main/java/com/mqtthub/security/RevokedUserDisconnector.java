package com.mqtthub.security;

import com.mqtthub.broker.EmbeddedBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Ends the MQTT connections of a user who was disabled or deleted: such a user could not log in
 * again, and must not stay connected either.
 */
@Component
class RevokedUserDisconnector {

	private static final Logger logger = LoggerFactory.getLogger(RevokedUserDisconnector.class);

	private final UserRepository users;

	private final EmbeddedBroker broker;

	RevokedUserDisconnector(UserRepository users, EmbeddedBroker broker) {
		this.users = users;
		this.broker = broker;
	}

	@EventListener
	void usersChanged(UsersChangedEvent event) {
		boolean active = this.users.find(event.username()).map(HubUser::enabled).orElse(false);
		if (!active) {
			int closed = this.broker.disconnectUser(event.username());
			if (closed > 0) {
				logger.info("Closed {} MQTT connection(s) of the disabled or deleted user '{}'", closed,
						LogSafe.text(event.username()));
			}
		}
	}

}

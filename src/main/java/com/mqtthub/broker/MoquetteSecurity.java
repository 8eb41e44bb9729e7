package com.mqtthub.broker;

import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;

/**
 * Adapts the hub's own authentication and authorization to Moquette's interfaces, so that only
 * the broker package knows Moquette.
 */
final class MoquetteSecurity {

	private MoquetteSecurity() {
	}

	static IAuthenticator authenticator(MqttAuthenticator authenticator) {
		return authenticator::authenticate;
	}

	static IAuthorizatorPolicy authorizatorPolicy(MqttAuthorizer authorizer) {
		return new IAuthorizatorPolicy() {

			@Override
			public boolean canWrite(Topic topic, String user, String client) {
				return authorizer.canPublish(user, client, topic.toString());
			}

			@Override
			public boolean canRead(Topic topic, String user, String client) {
				return authorizer.canSubscribe(user, client, topic.toString());
			}

		};
	}

}

package com.mqtthub.broker;

import java.util.function.Consumer;

import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;

/**
 * Adapts the hub's own authorization to Moquette's interface, so that only the broker package
 * knows Moquette. (Authentication happens before the engine sees a CONNECT, in
 * {@link ProtocolGuard}.)
 */
final class MoquetteSecurity {

	private MoquetteSecurity() {
	}

	/**
	 * @param onDeniedPublish called with the client id of a client whose PUBLISH was denied
	 */
	static IAuthorizatorPolicy authorizatorPolicy(MqttAuthorizer authorizer, Consumer<String> onDeniedPublish) {
		return new IAuthorizatorPolicy() {

			@Override
			public boolean canWrite(Topic topic, String user, String client) {
				String name = topic.toString();
				boolean allowed = !DeliveryRules.isReservedForTheBroker(name) && authorizer.canPublish(user, client, name);
				if (!allowed) {
					onDeniedPublish.accept(client);
				}
				return allowed;
			}

			@Override
			public boolean canRead(Topic topic, String user, String client) {
				return authorizer.canSubscribe(user, client, topic.toString());
			}

		};
	}

}

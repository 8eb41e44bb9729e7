package com.mqtthub.broker;

import io.moquette.broker.MoquetteCore;

/**
 * What every MQTT connection's {@link ProtocolGuard} works with, handed over as one.
 *
 * @param core the broker engine
 * @param authentication checks CONNECT credentials off the network threads
 * @param authorizer topic rules (for will topics)
 * @param addresses the clients behind relayed connections
 * @param limits connection and queue limits, and what they dropped
 * @param maxMessageBytes the largest packet accepted
 * @param owners which user each session belongs to
 * @param inflight messages sent to persistent sessions and not yet acknowledged
 * @param retainedQuota the limits on retained messages and who owns them
 */
record ConnectionServices(MoquetteCore core, MqttConnectAuthentication authentication, MqttAuthorizer authorizer,
		ClientAddresses addresses, BrokerLimits limits, int maxMessageBytes, SessionOwners owners,
		InflightStore inflight, RetainedQuota retainedQuota) {

}

package com.mqtthub.broker;

/**
 * Decides which topics a connected client may use. The broker asks it for every filter of a
 * SUBSCRIBE, for every PUBLISH and for every message delivered, so answers must come from memory,
 * not from a database.
 */
public interface MqttAuthorizer {

	/**
	 * @param username the user name the client connected with, or {@code null} when anonymous
	 */
	boolean canPublish(String username, String clientId, String topic);

	/**
	 * @param username the user name the client connected with, or {@code null} when anonymous
	 * @param topicFilter the filter asked for, possibly with {@code +} and {@code #}
	 */
	boolean canSubscribe(String username, String clientId, String topicFilter);

	/**
	 * Whether a subscriber may receive a message on {@code topic}: asked for every message
	 * delivered, so it must be fast and must not log per message.
	 * @param username the owner of the subscribing session, or {@code null} when anonymous
	 */
	boolean canRead(String username, String clientId, String topic);

}

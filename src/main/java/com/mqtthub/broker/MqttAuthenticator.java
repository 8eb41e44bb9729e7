package com.mqtthub.broker;

/**
 * Decides who may connect to the broker. The broker asks it on every MQTT CONNECT, on every
 * transport, from a thread of its own (never a network thread); it never sees a Moquette type.
 */
public interface MqttAuthenticator {

	/**
	 * Whether a CONNECT without a user name is accepted. Read once when the broker starts.
	 */
	boolean allowsAnonymous();

	/**
	 * @param clientId the client id of the CONNECT (after the broker assigned one to an empty id)
	 * @param username the user name of the CONNECT
	 * @param password the password of the CONNECT, or {@code null} when it carried none
	 * @param remoteAddress the client's network address (host only), for lock-outs by address
	 * @return whether the credentials are valid; a {@code false} answer makes the broker refuse
	 * the connection with "bad user name or password"
	 */
	boolean authenticate(String clientId, String username, byte[] password, String remoteAddress);

}

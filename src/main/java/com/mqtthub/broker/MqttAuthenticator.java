package com.mqtthub.broker;

/**
 * Decides who may connect to the broker. The broker asks it on every MQTT CONNECT, on every
 * transport; it never sees a Moquette type.
 * <p>
 * First {@link #precheck}, on the network thread, which must answer from memory (a lock-out, a
 * recently verified password); only when it answers {@link Precheck#CHECK} does the broker queue
 * the slow {@link #authenticate} on a thread of its own, within {@link #limits()}.
 */
public interface MqttAuthenticator {

	/** The answer of {@link #precheck}. */
	enum Precheck {

		/** Known good: let the client in without hashing its password. */
		ACCEPT,
		/** Known bad (locked out, no credentials): refuse with "bad user name or password". */
		REFUSE,
		/** Needs {@link #authenticate}. */
		CHECK

	}

	/**
	 * Whether a CONNECT without a user name is accepted. Read once when the broker starts.
	 */
	boolean allowsAnonymous();

	/**
	 * A fast answer from memory, run on the network thread: no hashing, no database.
	 */
	Precheck precheck(String clientId, String username, byte[] password, String remoteAddress);

	/**
	 * @param clientId the client id of the CONNECT (after the broker assigned one to an empty id)
	 * @param username the user name of the CONNECT
	 * @param password the password of the CONNECT, or {@code null} when it carried none
	 * @param remoteAddress the client's network address (host only), for lock-outs by address
	 * @return whether the credentials are valid; a {@code false} answer makes the broker refuse
	 * the connection with "bad user name or password"
	 */
	boolean authenticate(String clientId, String username, byte[] password, String remoteAddress);

	/** Bounds of the slow checks. Read once when the broker starts. */
	ConnectCheckLimits limits();

}

package com.mqtthub.broker;

/**
 * The TLS keystore is configured but cannot be used; start-up stops rather than run without the
 * TLS listeners a user asked for.
 */
public class TlsConfigurationException extends RuntimeException {

	public TlsConfigurationException(String message, Throwable cause) {
		super(message, cause);
	}

}

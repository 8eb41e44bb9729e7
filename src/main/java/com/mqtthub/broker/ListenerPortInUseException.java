package com.mqtthub.broker;

/**
 * A broker listener could not bind because its port is taken.
 */
public class ListenerPortInUseException extends RuntimeException {

	private final String listener;

	private final String host;

	private final int port;

	private final String property;

	public ListenerPortInUseException(String listener, String host, int port, String property, Throwable cause) {
		super(listener + " could not listen on " + host + ":" + port + " because the port is already in use", cause);
		this.listener = listener;
		this.host = host;
		this.port = port;
		this.property = property;
	}

	public String getListener() {
		return this.listener;
	}

	public String getHost() {
		return this.host;
	}

	public int getPort() {
		return this.port;
	}

	/** The configuration property that sets this listener's port. */
	public String getProperty() {
		return this.property;
	}

}

package com.mqtthub.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Properties;

import io.moquette.broker.MoquetteCore;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.AcceptAllAuthenticator;
import io.moquette.broker.security.PermitAllAuthorizatorPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * The embedded Moquette broker, started and stopped with the application context.
 * <p>
 * It starts before the web server and stops after it, so that the same-origin WebSocket relay
 * always has a broker to talk to.
 */
public class EmbeddedBroker implements SmartLifecycle {

	/** Before the web server (which starts in phase {@code DEFAULT_PHASE - 2048}). */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	static final String TCP_LISTENER = "MQTT over TCP";

	static final String WEBSOCKET_LISTENER = "MQTT over WebSocket";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedBroker.class);

	private final BrokerProperties properties;

	private volatile MoquetteCore core;

	private MqttListeners listeners;

	private volatile int tcpPort = -1;

	private volatile int webSocketPort = -1;

	public EmbeddedBroker(BrokerProperties properties) {
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		if (this.core != null) {
			return;
		}
		String host = this.properties.getHost();
		Properties settings = MoquetteSettings.from(this.properties);
		MoquetteCore moquette;
		try {
			moquette = MoquetteCore.start(new MemoryConfig(settings), List.of(), new AcceptAllAuthenticator(),
					new PermitAllAuthorizatorPolicy());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The MQTT broker could not open its data directory "
					+ this.properties.getDataDirectory().toAbsolutePath() + ": " + ex.getMessage(), ex);
		}
		MqttListeners network = new MqttListeners(moquette, MoquetteSettings.maxMessageBytes(this.properties));
		try {
			this.tcpPort = bind(TCP_LISTENER, host, this.properties.getPort(), "mqtthub.broker.port",
					() -> network.bindTcp(host, this.properties.getPort()));
			if (this.properties.getWebsocket().isEnabled()) {
				BrokerProperties.WebSocket webSocket = this.properties.getWebsocket();
				this.webSocketPort = bind(WEBSOCKET_LISTENER, host, webSocket.getPort(),
						"mqtthub.broker.websocket.port", () -> network.bindWebSocket(host, webSocket.getPort(),
								webSocket.getPath(), MoquetteSettings.maxFrameBytes(this.properties)));
			}
		}
		catch (RuntimeException ex) {
			network.close();
			moquette.stop();
			this.tcpPort = -1;
			this.webSocketPort = -1;
			throw ex;
		}
		this.core = moquette;
		this.listeners = network;
		logger.info("{} on {}:{}", TCP_LISTENER, host, this.tcpPort);
		if (this.webSocketPort >= 0) {
			logger.info("{} on ws://{}:{}{}", WEBSOCKET_LISTENER, host, this.webSocketPort,
					this.properties.getWebsocket().getPath());
		}
		logger.info("MQTT data directory {} (persistence {})", this.properties.getDataDirectory().toAbsolutePath(),
				this.properties.isPersistence() ? "on" : "off");
	}

	@Override
	public synchronized void stop() {
		MoquetteCore running = this.core;
		if (running == null) {
			return;
		}
		this.core = null;
		this.listeners.close();
		this.listeners = null;
		running.stop();
		this.tcpPort = -1;
		this.webSocketPort = -1;
		logger.info("MQTT broker stopped");
	}

	@Override
	public boolean isRunning() {
		return this.core != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/** The bound MQTT over TCP port, or -1 when the broker is not running. */
	public int getTcpPort() {
		return this.tcpPort;
	}

	/** The bound MQTT over WebSocket port, or -1 when that listener is off or not running. */
	public int getWebSocketPort() {
		return this.webSocketPort;
	}

	/** The address to reach the TCP listener from this process. */
	public InetSocketAddress getLocalTcpAddress() {
		String host = this.properties.getHost();
		boolean wildcard = "0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host);
		return new InetSocketAddress(wildcard ? "127.0.0.1" : host, this.tcpPort);
	}

	public BrokerProperties getProperties() {
		return this.properties;
	}

	/** Port binding as one step, so that a taken port becomes one clear sentence. */
	private interface Binding {

		int bind() throws InterruptedException;

	}

	private static boolean isAddressInUse(Exception ex) {
		// NIO reports a BindException; epoll an IOException carrying the system's message.
		return ex instanceof BindException
				|| (ex instanceof IOException && String.valueOf(ex.getMessage()).contains("Address already in use"));
	}

	private static int bind(String listener, String host, int port, String property, Binding binding) {
		try {
			return binding.bind();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(listener + " was interrupted while binding " + host + ":" + port, ex);
		}
		catch (Exception ex) {
			if (isAddressInUse(ex)) {
				throw new ListenerPortInUseException(listener, host, port, property, ex);
			}
			throw new IllegalStateException(listener + " could not listen on " + host + ":" + port + ": "
					+ ex.getMessage(), ex);
		}
	}

}

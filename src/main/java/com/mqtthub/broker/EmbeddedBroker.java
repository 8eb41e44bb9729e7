package com.mqtthub.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import io.moquette.broker.ISslContextCreator;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.netty.handler.ssl.SslContext;
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

	static final String TLS_LISTENER = "MQTT over TLS";

	static final String SECURE_WEBSOCKET_LISTENER = "MQTT over secure WebSocket";

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedBroker.class);

	private final BrokerProperties properties;

	private final MqttAuthenticator authenticator;

	private final MqttAuthorizer authorizer;

	private volatile Server server;

	private volatile int tcpPort = -1;

	private volatile int webSocketPort = -1;

	private volatile int sslPort = -1;

	private volatile int secureWebSocketPort = -1;

	public EmbeddedBroker(BrokerProperties properties, MqttAuthenticator authenticator, MqttAuthorizer authorizer) {
		this.properties = properties;
		this.authenticator = authenticator;
		this.authorizer = authorizer;
	}

	@Override
	public synchronized void start() {
		if (this.server != null) {
			return;
		}
		String host = this.properties.getHost();
		int tcp = this.properties.getPort();
		ensureFree(TCP_LISTENER, host, tcp, "mqtthub.broker.port");
		int webSocket = -1;
		if (this.properties.getWebsocket().isEnabled()) {
			webSocket = this.properties.getWebsocket().getPort();
			// Moquette cannot tell which port its WebSocket listener bound, so choose it here.
			webSocket = (webSocket == 0) ? freePort(host) : webSocket;
			ensureFree(WEBSOCKET_LISTENER, host, webSocket, "mqtthub.broker.websocket.port");
		}
		BrokerProperties.Tls tls = this.properties.getTls();
		SslContext sslContext = null;
		int ssl = -1;
		int wss = -1;
		if (tls.isEnabled()) {
			// Built here, not by Moquette, which would quietly start without TLS on a bad keystore.
			sslContext = TlsContextFactory.create(tls);
			ssl = tls.getSslPort();
			ensureFree(TLS_LISTENER, host, ssl, "mqtthub.broker.tls.ssl-port");
			wss = (tls.getWssPort() == 0) ? freePort(host) : tls.getWssPort();
			ensureFree(SECURE_WEBSOCKET_LISTENER, host, wss, "mqtthub.broker.tls.wss-port");
		}
		boolean anonymous = this.authenticator.allowsAnonymous();
		Properties settings = MoquetteSettings.from(this.properties, tcp, webSocket, ssl, wss, anonymous);
		SslContext tlsContext = sslContext;
		ISslContextCreator sslContextCreator = () -> {
			if (tlsContext == null) {
				throw new IllegalStateException("TLS listeners asked for without a keystore");
			}
			return tlsContext;
		};
		Server moquette = new Server();
		try {
			moquette.startServer(new MemoryConfig(settings), List.of(), sslContextCreator,
					MoquetteSecurity.authenticator(this.authenticator),
					MoquetteSecurity.authorizatorPolicy(this.authorizer,
							(clientId) -> closeAfterDeniedPublish(moquette, clientId)));
		}
		catch (IOException ex) {
			stopQuietly(moquette);
			throw new UncheckedIOException("The MQTT broker could not start: " + ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			stopQuietly(moquette);
			throw translateBindFailure(ex, host, tcp, webSocket);
		}
		this.server = moquette;
		this.tcpPort = boundPort(moquette::getPort, TCP_LISTENER);
		this.webSocketPort = webSocket;
		this.sslPort = tls.isEnabled() ? boundPort(moquette::getSslPort, TLS_LISTENER) : -1;
		this.secureWebSocketPort = wss;
		logger.info("{} on {}:{}", TCP_LISTENER, host, this.tcpPort);
		if (webSocket >= 0) {
			logger.info("{} on ws://{}:{}{}", WEBSOCKET_LISTENER, host, webSocket,
					this.properties.getWebsocket().getPath());
		}
		if (tls.isEnabled()) {
			logger.info("{} on ssl://{}:{}", TLS_LISTENER, host, this.sslPort);
			logger.info("{} on wss://{}:{}{}", SECURE_WEBSOCKET_LISTENER, host, wss,
					this.properties.getWebsocket().getPath());
		}
		else {
			logger.info("MQTT over TLS is off: set mqtthub.broker.tls.keystore to turn it on");
		}
		logger.info("Anonymous MQTT clients are {}", anonymous ? "allowed" : "refused");
		logger.info("MQTT data directory {} (persistence {})", this.properties.getDataDirectory().toAbsolutePath(),
				this.properties.isPersistence() ? "on" : "off");
	}

	@Override
	public synchronized void stop() {
		Server running = this.server;
		if (running == null) {
			return;
		}
		this.server = null;
		running.stopServer();
		this.tcpPort = -1;
		this.webSocketPort = -1;
		this.sslPort = -1;
		this.secureWebSocketPort = -1;
		logger.info("MQTT broker stopped");
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
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

	/** The bound MQTT over TLS port, or -1 when TLS is off or the broker is not running. */
	public int getSslPort() {
		return this.sslPort;
	}

	/** The bound MQTT over secure WebSocket port, or -1 when TLS is off or the broker is not running. */
	public int getSecureWebSocketPort() {
		return this.secureWebSocketPort;
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

	private static void ensureFree(String listener, String host, int port, String property) {
		if (port == 0) {
			return;
		}
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(host, port));
		}
		catch (BindException ex) {
			throw new ListenerPortInUseException(listener, host, port, property, ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(listener + " could not listen on " + host + ":" + port, ex);
		}
	}

	private static int freePort(String host) {
		try (ServerSocket socket = new ServerSocket()) {
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(host, 0));
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port on " + host, ex);
		}
	}

	private static RuntimeException translateBindFailure(RuntimeException ex, String host, int tcp, int webSocket) {
		if (!(ex.getCause() instanceof BindException bind)) {
			return ex;
		}
		// The listeners were free a moment ago: another process took one in between.
		String message = String.valueOf(ex.getMessage());
		if (webSocket > 0 && message.endsWith(": " + webSocket)) {
			return new ListenerPortInUseException(WEBSOCKET_LISTENER, host, webSocket,
					"mqtthub.broker.websocket.port", bind);
		}
		return new ListenerPortInUseException(TCP_LISTENER, host, tcp, "mqtthub.broker.port", bind);
	}

	/**
	 * Moquette learns the port it bound from a listener that Netty may call a moment after the
	 * bind returned, and answers 0 until then.
	 */
	private static int boundPort(IntSupplier port, String listener) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		int bound = port.getAsInt();
		while (bound <= 0 && System.nanoTime() < deadline) {
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
			bound = port.getAsInt();
		}
		if (bound <= 0) {
			throw new IllegalStateException(listener + " did not report the port it listens on");
		}
		return bound;
	}

	/**
	 * Moquette drops a denied PUBLISH without acknowledging it, which leaves a QoS 1 or 2 sender
	 * waiting forever. MQTT 3.1.1 (MQTT-3.3.5-2) lets a server either acknowledge such a PUBLISH
	 * or close the connection; Moquette cannot be made to acknowledge it, so the connection is
	 * closed, and the client learns that its message was refused.
	 */
	private static void closeAfterDeniedPublish(Server moquette, String clientId) {
		CompletableFuture.runAsync(() -> {
			if (moquette.disconnectClient(clientId)) {
				logger.info("Closed the connection of MQTT client '{}' after a denied PUBLISH",
						clientId.replaceAll("\\p{Cntrl}", "?"));
			}
		});
	}

	private static void stopQuietly(Server moquette) {
		try {
			moquette.stopServer();
		}
		catch (RuntimeException ex) {
			logger.debug("Cleaning up a broker that failed to start", ex);
		}
	}

}

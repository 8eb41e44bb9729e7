package com.mqtthub.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Bridges to remote MQTT brokers ({@code mqtthub.bridges[...]}); see docs/bridges.md.
 * Checked as a whole by {@link BridgeDefinitions} at start-up.
 */
@ConfigurationProperties("mqtthub")
public class BridgesProperties {

	private List<Bridge> bridges = new ArrayList<>();

	public List<Bridge> getBridges() {
		return this.bridges;
	}

	public void setBridges(List<Bridge> bridges) {
		this.bridges = bridges;
	}

	/** Which remote address each (re)connect tries first. */
	public enum Failover {

		/** Always the first address, then the next ones in order. */
		IN_ORDER,
		/** The address after the one used last, then on round the list. */
		ROUND_ROBIN;

		/** As written in the configuration and the API: {@code in-order}, {@code round-robin}. */
		String text() {
			return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

		/** @return null when {@code text} is neither */
		static Failover of(String text) {
			for (Failover failover : values()) {
				if (failover.text().equalsIgnoreCase(text.trim()) || failover.name().equalsIgnoreCase(text.trim())) {
					return failover;
				}
			}
			return null;
		}

	}

	/** Where a topic rule sends messages. */
	public enum Direction {

		/** Local messages to the remote. */
		OUT,
		/** Remote messages to the hub. */
		IN,
		/** Both ways. */
		BOTH;

		boolean out() {
			return this != IN;
		}

		boolean in() {
			return this != OUT;
		}

	}

	public static class Bridge {

		/** Its name in the UI, the metrics and the data store: letters, digits, '-' and '_'. */
		private String name;

		/** Remote addresses (tcp://, ssl://, ws://, wss://). */
		private List<String> addresses = new ArrayList<>();

		/** Where each (re)connect starts in {@link #addresses}. */
		private Failover failover = Failover.IN_ORDER;

		/** The client id at the remote; default "mqtthub-bridge-" and the name. */
		private String clientId;

		/**
		 * When the remote is another hub with a bridge back to this one: that bridge's client id
		 * here. Its messages are not sent back, and what this bridge forwards is not delivered to it.
		 */
		private String peerClientId;

		private String username;

		/** The password at the remote; prefer {@link #passwordEnv}. Never logged or shown. */
		private String password;

		/** The name of an environment variable holding the password. */
		private String passwordEnv;

		private Duration keepAlive = Duration.ofSeconds(60);

		/** A clean session at the remote forgets the bridge's subscriptions while it is away. */
		private boolean cleanSession = false;

		private Duration connectTimeout = Duration.ofSeconds(10);

		private boolean enabled = true;

		/** Starts paused: messages are queued but not forwarded. */
		private boolean paused = false;

		/** Messages sent to the remote and not yet acknowledged by it, at most. */
		private int inFlight = 10;

		private final Tls tls = new Tls();

		private final Queue queue = new Queue();

		private final Reconnect reconnect = new Reconnect();

		private List<TopicRule> topics = new ArrayList<>();

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public List<String> getAddresses() {
			return this.addresses;
		}

		public void setAddresses(List<String> addresses) {
			this.addresses = addresses;
		}

		public Failover getFailover() {
			return this.failover;
		}

		public void setFailover(Failover failover) {
			this.failover = failover;
		}

		public String getPeerClientId() {
			return this.peerClientId;
		}

		public void setPeerClientId(String peerClientId) {
			this.peerClientId = peerClientId;
		}

		public String getClientId() {
			return this.clientId;
		}

		public void setClientId(String clientId) {
			this.clientId = clientId;
		}

		public String getUsername() {
			return this.username;
		}

		public void setUsername(String username) {
			this.username = username;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

		public String getPasswordEnv() {
			return this.passwordEnv;
		}

		public void setPasswordEnv(String passwordEnv) {
			this.passwordEnv = passwordEnv;
		}

		public Duration getKeepAlive() {
			return this.keepAlive;
		}

		public void setKeepAlive(Duration keepAlive) {
			this.keepAlive = keepAlive;
		}

		public boolean isCleanSession() {
			return this.cleanSession;
		}

		public void setCleanSession(boolean cleanSession) {
			this.cleanSession = cleanSession;
		}

		public Duration getConnectTimeout() {
			return this.connectTimeout;
		}

		public void setConnectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isPaused() {
			return this.paused;
		}

		public void setPaused(boolean paused) {
			this.paused = paused;
		}

		public int getInFlight() {
			return this.inFlight;
		}

		public void setInFlight(int inFlight) {
			this.inFlight = inFlight;
		}

		public Tls getTls() {
			return this.tls;
		}

		public Queue getQueue() {
			return this.queue;
		}

		public Reconnect getReconnect() {
			return this.reconnect;
		}

		public List<TopicRule> getTopics() {
			return this.topics;
		}

		public void setTopics(List<TopicRule> topics) {
			this.topics = topics;
		}

		String effectiveClientId() {
			return (this.clientId != null && !this.clientId.isBlank()) ? this.clientId : "mqtthub-bridge-" + this.name;
		}

	}

	/**
	 * Whom to trust at ssl:// and wss:// addresses (the JVM's default trust store when unset),
	 * and the client certificate to show there (none when unset).
	 */
	public static class Tls {

		private Path truststore;

		/** A key store holding the bridge's private key and client certificate. */
		private Path keystore;

		private String keystorePassword;

		private String keystoreType = "PKCS12";

		public Path getKeystore() {
			return this.keystore;
		}

		public void setKeystore(Path keystore) {
			this.keystore = keystore;
		}

		public String getKeystorePassword() {
			return this.keystorePassword;
		}

		public void setKeystorePassword(String keystorePassword) {
			this.keystorePassword = keystorePassword;
		}

		public String getKeystoreType() {
			return this.keystoreType;
		}

		public void setKeystoreType(String keystoreType) {
			this.keystoreType = keystoreType;
		}

		private String truststorePassword;

		private String truststoreType = "PKCS12";

		public Path getTruststore() {
			return this.truststore;
		}

		public void setTruststore(Path truststore) {
			this.truststore = truststore;
		}

		public String getTruststorePassword() {
			return this.truststorePassword;
		}

		public void setTruststorePassword(String truststorePassword) {
			this.truststorePassword = truststorePassword;
		}

		public String getTruststoreType() {
			return this.truststoreType;
		}

		public void setTruststoreType(String truststoreType) {
			this.truststoreType = truststoreType;
		}

	}

	/** Bounds of the disk queue; past either, the oldest messages are dropped and counted. */
	public static class Queue {

		private DataSize maxBytes = DataSize.ofGigabytes(1);

		private long maxMessages = 1_000_000;

		public DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

		public long getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(long maxMessages) {
			this.maxMessages = maxMessages;
		}

	}

	/** Exponential back-off between connection attempts, with jitter. */
	public static class Reconnect {

		private Duration initialDelay = Duration.ofSeconds(1);

		private Duration maxDelay = Duration.ofSeconds(60);

		public Duration getInitialDelay() {
			return this.initialDelay;
		}

		public void setInitialDelay(Duration initialDelay) {
			this.initialDelay = initialDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

	/**
	 * One topic line as in Mosquitto: the hub side of {@code filter} is {@code local-prefix +
	 * filter}, the remote side {@code remote-prefix + filter}.
	 */
	public static class TopicRule {

		private String filter;

		private Direction direction = Direction.OUT;

		/** The highest QoS used on the remote side (publish and subscribe). */
		private int qos = 1;

		private String localPrefix = "";

		private String remotePrefix = "";

		public String getFilter() {
			return this.filter;
		}

		public void setFilter(String filter) {
			this.filter = filter;
		}

		public Direction getDirection() {
			return this.direction;
		}

		public void setDirection(Direction direction) {
			this.direction = direction;
		}

		public int getQos() {
			return this.qos;
		}

		public void setQos(int qos) {
			this.qos = qos;
		}

		public String getLocalPrefix() {
			return this.localPrefix;
		}

		public void setLocalPrefix(String localPrefix) {
			this.localPrefix = (localPrefix != null) ? localPrefix : "";
		}

		public String getRemotePrefix() {
			return this.remotePrefix;
		}

		public void setRemotePrefix(String remotePrefix) {
			this.remotePrefix = (remotePrefix != null) ? remotePrefix : "";
		}

	}

}

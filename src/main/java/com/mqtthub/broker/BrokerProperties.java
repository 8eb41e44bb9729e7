package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the embedded MQTT broker, under {@code mqtthub.broker}. Every one can be set in
 * {@code application.yml} or as an environment variable (e.g. {@code MQTTHUB_BROKER_PORT}).
 */
@ConfigurationProperties("mqtthub.broker")
@Validated
public class BrokerProperties {

	/** Address the MQTT listeners bind to. */
	@NotBlank
	private String host = "0.0.0.0";

	/** MQTT over TCP port; 0 picks a free port. */
	@Min(0)
	@Max(65535)
	private int port = 1883;

	/** Largest MQTT packet accepted, on every transport. */
	@NotNull
	private DataSize maxMessageSize = DataSize.ofMegabytes(1);

	/** Directory for the broker's persistent state. */
	@NotNull
	private Path dataDirectory = Path.of("data");

	/** Keep retained messages, sessions and queued messages on disk across restarts. */
	private boolean persistence = true;

	/**
	 * With persistence on, how long a commit waits for more acknowledgements to share it while a
	 * few clients are being acknowledged at once (a lone client's are never held back, nor are
	 * commits that already serve 8 or more): a PUBACK may leave up to this much later, for far
	 * fewer commits and wake-ups. 0 commits at once.
	 */
	@NotNull
	@DurationMin(millis = 0)
	@DurationMax(millis = 10)
	private Duration commitLinger = Duration.ofNanos(500_000);

	/**
	 * Most MQTT connections at once, counted from the accepted socket (before its CONNECT); a
	 * connection beyond it gets CONNACK "server unavailable".
	 */
	@Min(1)
	private int maxConnections = 10_000;

	/**
	 * How long a new connection has, from its TCP accept (including a TLS handshake or WebSocket
	 * upgrade), to send a whole CONNECT; it is closed when the time is up.
	 */
	@NotNull
	@DurationMin(millis = 100)
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Most messages waiting for one session (offline, or online but behind); newer messages for
	 * it are dropped, and counted, while it is full.
	 */
	@Min(1)
	private int maxQueuedMessages = 10_000;

	/**
	 * Most payload and topic bytes waiting for one session (QoS 1 and 2 included); a newer
	 * message that would take it past this is dropped, and counted.
	 */
	@NotNull
	private DataSize maxQueuedBytes = DataSize.ofMegabytes(64);

	/**
	 * Most payload and topic bytes waiting in all the session queues kept in memory together
	 * (clean sessions; every session when persistence is off). Defaults to a quarter of the
	 * maximum heap; at most half of it (checked at start).
	 */
	private DataSize maxQueuedBytesInMemory;

	/**
	 * Outgoing bytes waiting for one client beyond which QoS 0 messages to it are dropped (and
	 * counted): a client that does not read cannot make the broker's memory grow.
	 */
	@NotNull
	private DataSize slowClientBuffer = DataSize.ofMegabytes(1);

	/**
	 * Most bytes the broker holds for one connected client that does not read (unwritten, plus
	 * its queue while QoS 1/2 messages wait for acknowledgement); beyond it the connection is
	 * closed, and counted. Its persistent session keeps its queue. Defaults to 4 x the
	 * slow-client buffer + 10 x the largest message + 2 MB (16 MB with the defaults).
	 */
	private DataSize maxClientBacklog;

	/** How long a stop waits for work in flight (acknowledgements, writes) before closing clients. */
	@NotNull
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	/**
	 * How long a session loop of the engine may take to answer a probe queued behind its work;
	 * beyond it the broker's health is DOWN, naming the loop.
	 */
	@NotNull
	private Duration loopProbeTimeout = Duration.ofSeconds(5);

	/**
	 * Most levels in a topic name or filter. The engine walks its subscription tree recursively,
	 * one call per level: a filter thousands of levels deep overflows its stack when removed.
	 */
	@Min(1)
	@Max(32768)
	private int maxTopicLevels = 128;

	/**
	 * Most bytes (UTF-8) in a topic name or filter. MQTT allows 65535, but real topics are far
	 * shorter, and every subscription keeps its filter in memory and in the store: 1 KB leaves
	 * room for any sensible naming scheme while 1000 subscriptions of one client stay near 1 MB.
	 */
	@Min(1)
	@Max(65535)
	private int maxTopicLength = 1024;

	/** Most topic filters in one SUBSCRIBE; the ones beyond get 0x80 in the SUBACK. */
	@Min(1)
	private int maxFiltersPerSubscribe = 100;

	/**
	 * Most subscriptions one session holds (restored ones included); a new filter beyond gets
	 * 0x80 in the SUBACK.
	 */
	@Min(1)
	private int maxSubscriptionsPerClient = 1000;

	/**
	 * Most QoS 2 messages one client may have sent and not yet released with PUBREL; the engine
	 * keeps each until then. One more (or more of their bytes than {@code max-client-backlog})
	 * closes the connection.
	 */
	@Min(1)
	@Max(65535)
	private int maxUnreleasedQos2 = 100;

	@Valid
	private final WebSocket websocket = new WebSocket();

	@Valid
	private final Retained retained = new Retained();

	@Valid
	private final BackPressure backPressure = new BackPressure();

	@Valid
	private final Tls tls = new Tls();

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public DataSize getMaxMessageSize() {
		return this.maxMessageSize;
	}

	public void setMaxMessageSize(DataSize maxMessageSize) {
		this.maxMessageSize = maxMessageSize;
	}

	public Path getDataDirectory() {
		return this.dataDirectory;
	}

	public void setDataDirectory(Path dataDirectory) {
		this.dataDirectory = dataDirectory;
	}

	public boolean isPersistence() {
		return this.persistence;
	}

	public void setPersistence(boolean persistence) {
		this.persistence = persistence;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public Duration getCommitLinger() {
		return this.commitLinger;
	}

	public void setCommitLinger(Duration commitLinger) {
		this.commitLinger = commitLinger;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public int getMaxQueuedMessages() {
		return this.maxQueuedMessages;
	}

	public void setMaxQueuedMessages(int maxQueuedMessages) {
		this.maxQueuedMessages = maxQueuedMessages;
	}

	public DataSize getMaxQueuedBytes() {
		return this.maxQueuedBytes;
	}

	public void setMaxQueuedBytes(DataSize maxQueuedBytes) {
		this.maxQueuedBytes = maxQueuedBytes;
	}

	public DataSize getMaxQueuedBytesInMemory() {
		return this.maxQueuedBytesInMemory;
	}

	public void setMaxQueuedBytesInMemory(DataSize maxQueuedBytesInMemory) {
		this.maxQueuedBytesInMemory = maxQueuedBytesInMemory;
	}

	/** The budget of the queues in memory as set, or a quarter of {@code maxHeapBytes}. */
	public DataSize effectiveMaxQueuedBytesInMemory(long maxHeapBytes) {
		if (this.maxQueuedBytesInMemory != null) {
			return this.maxQueuedBytesInMemory;
		}
		return DataSize.ofBytes(Math.max(maxHeapBytes / 4, this.maxMessageSize.toBytes()));
	}

	/**
	 * The total for retained messages as set, or its default: 256 MB on disk; with persistence
	 * off they stay in the heap, so a quarter of {@code maxHeapBytes} (at most 256 MB), which
	 * fits beside the queues' budget of at most half the heap ({@link HeapBudget}).
	 */
	public DataSize effectiveRetainedMaxBytes(long maxHeapBytes) {
		if (this.retained.getMaxBytes() != null) {
			return this.retained.getMaxBytes();
		}
		if (this.persistence) {
			return Retained.STORED_MAX_BYTES;
		}
		return DataSize.ofBytes(Math.min(maxHeapBytes / 4, Retained.STORED_MAX_BYTES.toBytes()));
	}

	public DataSize getMaxClientBacklog() {
		return this.maxClientBacklog;
	}

	/** The backlog limit as set, or its default, which follows the settings it must be above. */
	public DataSize effectiveMaxClientBacklog() {
		if (this.maxClientBacklog != null) {
			return this.maxClientBacklog;
		}
		return DataSize.ofBytes(writtenAtOnce() + DataSize.ofMegabytes(2).toBytes());
	}

	/** What the hub may write to a client without waiting for it (see {@link #isBacklogAboveWhatIsWrittenAtOnce}). */
	private long writtenAtOnce() {
		return 4 * this.slowClientBuffer.toBytes() + 10 * this.maxMessageSize.toBytes();
	}

	public void setMaxClientBacklog(DataSize maxClientBacklog) {
		this.maxClientBacklog = maxClientBacklog;
	}

	/** One message of the largest size fits in a queue. */
	@AssertTrue(message = "max-queued-bytes must be at least max-message-size")
	public boolean isQueueLargeEnoughForOneMessage() {
		return this.maxQueuedBytes == null || this.maxMessageSize == null
				|| this.maxQueuedBytes.toBytes() >= this.maxMessageSize.toBytes();
	}

	/**
	 * The backlog limit is above what the hub writes to a client without waiting for it: up to
	 * four times the slow-client buffer before it holds QoS 1/2 messages back, and the ten
	 * messages a session may have in flight, sent again at once when it reconnects. A client
	 * that reads is never cut off by its own burst.
	 */
	@AssertTrue(message = "max-client-backlog must be more than 4 x slow-client-buffer + 10 x max-message-size")
	public boolean isBacklogAboveWhatIsWrittenAtOnce() {
		return this.maxClientBacklog == null || this.slowClientBuffer == null || this.maxMessageSize == null
				|| this.maxClientBacklog.toBytes() > writtenAtOnce();
	}

	public DataSize getSlowClientBuffer() {
		return this.slowClientBuffer;
	}

	public void setSlowClientBuffer(DataSize slowClientBuffer) {
		this.slowClientBuffer = slowClientBuffer;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public Duration getLoopProbeTimeout() {
		return this.loopProbeTimeout;
	}

	public void setLoopProbeTimeout(Duration loopProbeTimeout) {
		this.loopProbeTimeout = loopProbeTimeout;
	}

	public int getMaxTopicLevels() {
		return this.maxTopicLevels;
	}

	public void setMaxTopicLevels(int maxTopicLevels) {
		this.maxTopicLevels = maxTopicLevels;
	}

	public int getMaxTopicLength() {
		return this.maxTopicLength;
	}

	public void setMaxTopicLength(int maxTopicLength) {
		this.maxTopicLength = maxTopicLength;
	}

	public int getMaxFiltersPerSubscribe() {
		return this.maxFiltersPerSubscribe;
	}

	public void setMaxFiltersPerSubscribe(int maxFiltersPerSubscribe) {
		this.maxFiltersPerSubscribe = maxFiltersPerSubscribe;
	}

	public int getMaxSubscriptionsPerClient() {
		return this.maxSubscriptionsPerClient;
	}

	public void setMaxSubscriptionsPerClient(int maxSubscriptionsPerClient) {
		this.maxSubscriptionsPerClient = maxSubscriptionsPerClient;
	}

	public int getMaxUnreleasedQos2() {
		return this.maxUnreleasedQos2;
	}

	public void setMaxUnreleasedQos2(int maxUnreleasedQos2) {
		this.maxUnreleasedQos2 = maxUnreleasedQos2;
	}

	public WebSocket getWebsocket() {
		return this.websocket;
	}

	public Tls getTls() {
		return this.tls;
	}

	public Retained getRetained() {
		return this.retained;
	}

	public BackPressure getBackPressure() {
		return this.backPressure;
	}

	/**
	 * Back-pressure on publishers, under {@code mqtthub.broker.back-pressure}: rather than
	 * acknowledge QoS 1/2 messages and then drop them at a connected subscriber's full queue,
	 * the broker stops reading from the publishers that feed a queue above the high-water mark
	 * until it is down at the low-water mark. Marks are percentages of
	 * {@code max-queued-messages} and {@code max-queued-bytes}; a queue is above the high-water
	 * mark when either figure is, and at the low-water mark when both are.
	 */
	public static class BackPressure {

		/**
		 * Hold publishers back at all: those feeding a queue above the high-water mark (QoS 1/2)
		 * and those whose QoS 0 message every subscriber is behind on (off: full queues drop
		 * newer messages and slow clients lose QoS 0 messages, counted, without slowing anyone).
		 */
		private boolean enabled = true;

		/**
		 * Percentage of the queue caps above which a connected session's queue holds its publishers
		 * back. Low, because the queue is the latency: at the default caps 500 messages, about
		 * 20 ms of delivery at full speed (docs/benchmarks.md, "Latency").
		 */
		@Min(1)
		@Max(99)
		private int highWaterPercent = 5;

		/**
		 * Percentage of the queue caps at or below which the publishers held back go on; above
		 * zero, so that the queue does not run dry while they start again.
		 */
		@Min(0)
		@Max(98)
		private int lowWaterPercent = 2;

		/**
		 * Longest a publisher is held back at a time; a queue whose subscriber took nothing for
		 * this long stops holding publishers back until it is at the low-water mark again. Keep it
		 * below the keep-alive of your clients (reading paused for 1.5 x the keep-alive ends a
		 * connection).
		 */
		@NotNull
		@DurationMin(millis = 10)
		private Duration maxPause = Duration.ofSeconds(1);

		/** The low-water mark is below the high-water mark, or publishers would flap. */
		@AssertTrue(message = "low-water-percent must be below high-water-percent")
		public boolean isLowBelowHigh() {
			return this.lowWaterPercent < this.highWaterPercent;
		}

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getHighWaterPercent() {
			return this.highWaterPercent;
		}

		public void setHighWaterPercent(int highWaterPercent) {
			this.highWaterPercent = highWaterPercent;
		}

		public int getLowWaterPercent() {
			return this.lowWaterPercent;
		}

		public void setLowWaterPercent(int lowWaterPercent) {
			this.lowWaterPercent = lowWaterPercent;
		}

		public Duration getMaxPause() {
			return this.maxPause;
		}

		public void setMaxPause(Duration maxPause) {
			this.maxPause = maxPause;
		}

	}

	/**
	 * Limits on retained messages, under {@code mqtthub.broker.retained}. A retained message
	 * beyond one is still delivered to current subscribers, but not kept (the topic keeps its
	 * previous one), and counted. Bytes are payload bytes.
	 * <p>
	 * The defaults let one user keep a retained state for thousands of devices while the
	 * store stays a small part of the default heap: a subscription to {@code #} loads every
	 * matching retained message at once (the engine sends them together), so the total bounds
	 * that load, and the per-user limit keeps one account from taking it all.
	 */
	public static class Retained {

		/** The default total with persistence on, where retained messages are on disk. */
		static final DataSize STORED_MAX_BYTES = DataSize.ofMegabytes(256);

		/** Most retained messages owned by one user (the last one to retain on each topic). */
		@Min(1)
		private int maxMessagesPerUser = 10_000;

		/** Most retained payload bytes owned by one user. */
		@NotNull
		private DataSize maxBytesPerUser = DataSize.ofMegabytes(64);

		/** Most retained messages in total, the broker's own included. */
		@Min(1)
		private int maxMessages = 100_000;

		/**
		 * Most retained payload bytes in total, the broker's own included. Unset: 256 MB with
		 * persistence on, and with it off (retained messages then stay in the heap) a quarter
		 * of the maximum heap, at most 256 MB.
		 */
		private DataSize maxBytes;

		/** A size of 0 or less would refuse every retained message: almost surely a mistake. */
		@AssertTrue(message = "max-bytes-per-user and max-bytes must be positive")
		public boolean isSizesPositive() {
			return this.maxBytesPerUser != null && this.maxBytesPerUser.toBytes() > 0
					&& (this.maxBytes == null || this.maxBytes.toBytes() > 0);
		}

		public int getMaxMessagesPerUser() {
			return this.maxMessagesPerUser;
		}

		public void setMaxMessagesPerUser(int maxMessagesPerUser) {
			this.maxMessagesPerUser = maxMessagesPerUser;
		}

		public DataSize getMaxBytesPerUser() {
			return this.maxBytesPerUser;
		}

		public void setMaxBytesPerUser(DataSize maxBytesPerUser) {
			this.maxBytesPerUser = maxBytesPerUser;
		}

		public int getMaxMessages() {
			return this.maxMessages;
		}

		public void setMaxMessages(int maxMessages) {
			this.maxMessages = maxMessages;
		}

		public DataSize getMaxBytes() {
			return this.maxBytes;
		}

		public void setMaxBytes(DataSize maxBytes) {
			this.maxBytes = maxBytes;
		}

	}

	/**
	 * MQTT over TLS and MQTT over secure WebSocket. Both listeners are off until a keystore is
	 * set.
	 */
	public static class Tls {

		/** PKCS12 (or other type) keystore holding the server's private key and certificate chain. */
		private Path keystore;

		/** Password of the keystore. */
		private String keystorePassword;

		/** Password of the private key; defaults to the keystore password. */
		private String keyPassword;

		/** Type of the keystore. */
		@NotBlank
		private String keystoreType = "PKCS12";

		/** MQTT over TLS port; 0 picks a free port. */
		@Min(0)
		@Max(65535)
		private int sslPort = 8883;

		/** MQTT over secure WebSocket port; 0 picks a free port. */
		@Min(0)
		@Max(65535)
		private int wssPort = 8084;

		/** Whether a keystore is configured, which turns the TLS listeners on. */
		public boolean isEnabled() {
			return this.keystore != null && !this.keystore.toString().isBlank();
		}

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

		public String getKeyPassword() {
			return this.keyPassword;
		}

		public void setKeyPassword(String keyPassword) {
			this.keyPassword = keyPassword;
		}

		public String getKeystoreType() {
			return this.keystoreType;
		}

		public void setKeystoreType(String keystoreType) {
			this.keystoreType = keystoreType;
		}

		public int getSslPort() {
			return this.sslPort;
		}

		public void setSslPort(int sslPort) {
			this.sslPort = sslPort;
		}

		public int getWssPort() {
			return this.wssPort;
		}

		public void setWssPort(int wssPort) {
			this.wssPort = wssPort;
		}

	}

	/**
	 * The broker's own MQTT over WebSocket listener (separate from the web server's same-origin
	 * endpoint).
	 */
	public static class WebSocket {

		/** Listen for MQTT over WebSocket on its own port. */
		private boolean enabled = true;

		/** MQTT over WebSocket port; 0 picks a free port. */
		@Min(0)
		@Max(65535)
		private int port = 8083;

		/** Request path of the WebSocket endpoint. */
		@NotBlank
		@Pattern(regexp = "/.*", message = "must start with '/'")
		private String path = "/mqtt";

		/**
		 * Largest WebSocket frame accepted; defaults to the maximum message size plus the MQTT
		 * fixed header, so that any accepted message fits in one frame.
		 */
		private DataSize maxFrameSize;

		/**
		 * Origins of other sites whose pages may open MQTT over WebSocket on this listener (exact
		 * origins such as {@code https://dashboard.example}, or {@code *} for any). Pages of the
		 * request's own host (any scheme or port) and clients that send no Origin are always let in.
		 */
		@NotNull
		private List<String> allowedOrigins = new ArrayList<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

		public DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public List<String> getAllowedOrigins() {
			return this.allowedOrigins;
		}

		public void setAllowedOrigins(List<String> allowedOrigins) {
			this.allowedOrigins = allowedOrigins;
		}

	}

}

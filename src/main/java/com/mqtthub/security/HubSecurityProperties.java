package com.mqtthub.security;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Authentication settings of the hub, under {@code mqtthub.security}.
 */
@ConfigurationProperties("mqtthub.security")
@Validated
public class HubSecurityProperties {

	/** Accept MQTT clients that connect without a user name; topic rules for role ANONYMOUS apply to them. */
	private boolean allowAnonymous = false;

	@Valid
	private final Admin admin = new Admin();

	@Valid
	private final Lockout lockout = new Lockout();

	@Valid
	private final Connect connect = new Connect();

	public boolean isAllowAnonymous() {
		return this.allowAnonymous;
	}

	public void setAllowAnonymous(boolean allowAnonymous) {
		this.allowAnonymous = allowAnonymous;
	}

	public Admin getAdmin() {
		return this.admin;
	}

	public Lockout getLockout() {
		return this.lockout;
	}

	public Connect getConnect() {
		return this.connect;
	}

	/**
	 * The administrator created on first start, when the user database has none.
	 */
	public static class Admin {

		/** User name of the first administrator. */
		@NotBlank
		@Pattern(regexp = UserService.USERNAME_PATTERN,
				message = "must have 1 to 64 letters, digits, '.', '_', '@' or '-'")
		private String username = "admin";

		/**
		 * Password of the first administrator (environment variable
		 * MQTTHUB_SECURITY_ADMIN_PASSWORD); when unset, one is generated and logged once.
		 */
		private String password;

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

	}

	/**
	 * Slows down password guessing without handing strangers a way to lock others out: failures
	 * count per user name and address (growing delays) and per address (a lock-out), on the web
	 * and over MQTT alike.
	 */
	public static class Lockout {

		/** Refuse logins during a delay or lock-out. */
		private boolean enabled = true;

		/**
		 * Failed logins for one user name from one address (within the window) before each further
		 * failure makes that pair wait: {@code delay}, then twice as long each time, up to
		 * {@code max-delay}.
		 */
		@Min(1)
		private int maxFailures = 5;

		/** The first wait after {@code max-failures} failures. */
		@NotNull
		private Duration delay = Duration.ofSeconds(1);

		/** The longest wait. */
		@NotNull
		private Duration maxDelay = Duration.ofMinutes(15);

		/**
		 * Failed logins from one address within the window, for any user names, that lock that
		 * address out for {@code duration} (higher, since many users may share an address).
		 */
		@Min(1)
		private int maxFailuresPerAddress = 20;

		/** How far back failed logins count. */
		@NotNull
		private Duration window = Duration.ofMinutes(15);

		/** How long an address's lock-out lasts. */
		@NotNull
		private Duration duration = Duration.ofMinutes(15);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxFailures() {
			return this.maxFailures;
		}

		public void setMaxFailures(int maxFailures) {
			this.maxFailures = maxFailures;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public int getMaxFailuresPerAddress() {
			return this.maxFailuresPerAddress;
		}

		public void setMaxFailuresPerAddress(int maxFailuresPerAddress) {
			this.maxFailuresPerAddress = maxFailuresPerAddress;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public Duration getDuration() {
			return this.duration;
		}

		public void setDuration(Duration duration) {
			this.duration = duration;
		}

	}

	/**
	 * MQTT CONNECT checks under load: password hashes are slow on purpose, so the checks that
	 * need one are rate limited and queued on a small pool, and recently verified credentials are
	 * remembered for a short while so that returning devices connect without one.
	 */
	public static class Connect {

		/** Threads that verify password hashes; 0 means half the processors (at least 1). */
		@Min(0)
		private int threads = 0;

		/** Checks that may wait for a thread; a CONNECT beyond gets CONNACK 3. */
		@Min(1)
		private int queueCapacity = 32;

		/** Password checks started per second for one client address; beyond it CONNACK 3. */
		@DecimalMin(value = "0", inclusive = false)
		private double ratePerAddress = 2;

		/** Checks one address may start at once before its rate applies. */
		@Min(1)
		private int burstPerAddress = 5;

		/** Password checks started per second in total; beyond it CONNACK 3. */
		@DecimalMin(value = "0", inclusive = false)
		private double rate = 20;

		/** Checks that may start at once before the total rate applies. */
		@Min(1)
		private int burst = 40;

		/**
		 * How long verified credentials are remembered (as a keyed hash, never the password);
		 * 0 turns the cache off.
		 */
		@NotNull
		private Duration cacheTtl = Duration.ofMinutes(5);

		/** Most credentials remembered at once. */
		@Min(1)
		private int cacheSize = 100_000;

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		/** The configured threads, or half the processors. */
		public int effectiveThreads() {
			return (this.threads > 0) ? this.threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
		}

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public double getRatePerAddress() {
			return this.ratePerAddress;
		}

		public void setRatePerAddress(double ratePerAddress) {
			this.ratePerAddress = ratePerAddress;
		}

		public int getBurstPerAddress() {
			return this.burstPerAddress;
		}

		public void setBurstPerAddress(int burstPerAddress) {
			this.burstPerAddress = burstPerAddress;
		}

		public double getRate() {
			return this.rate;
		}

		public void setRate(double rate) {
			this.rate = rate;
		}

		public int getBurst() {
			return this.burst;
		}

		public void setBurst(int burst) {
			this.burst = burst;
		}

		public Duration getCacheTtl() {
			return this.cacheTtl;
		}

		public void setCacheTtl(Duration cacheTtl) {
			this.cacheTtl = cacheTtl;
		}

		public int getCacheSize() {
			return this.cacheSize;
		}

		public void setCacheSize(int cacheSize) {
			this.cacheSize = cacheSize;
		}

	}

}

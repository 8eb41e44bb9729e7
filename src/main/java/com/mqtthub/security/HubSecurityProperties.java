package com.mqtthub.security;

import java.time.Duration;

import jakarta.validation.Valid;
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
	 * Slows down password guessing: after too many failed logins for one user name or from one
	 * address, further logins for it are refused for a while, on the web and over MQTT alike.
	 */
	public static class Lockout {

		/** Lock out after repeated failures. */
		private boolean enabled = true;

		/** Failed logins for one user name within the window that lock that user name out. */
		@Min(1)
		private int maxFailures = 5;

		/**
		 * Failed logins from one address within the window that lock that address out (higher,
		 * since many users may share an address behind one router).
		 */
		@Min(1)
		private int maxFailuresPerAddress = 20;

		/** How far back failed logins count. */
		@NotNull
		private Duration window = Duration.ofMinutes(15);

		/** How long a lock-out lasts. */
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

}

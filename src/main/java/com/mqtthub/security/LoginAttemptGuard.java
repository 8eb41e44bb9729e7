package com.mqtthub.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed logins per user name and per remote address, and locks either out for a while
 * once it has failed too often within the window. Shared by the web login and MQTT CONNECT.
 */
public class LoginAttemptGuard {

	/** Beyond this many tracked names and addresses, stale ones are dropped on the next failure. */
	private static final int PURGE_THRESHOLD = 10_000;

	private static final Logger logger = LoggerFactory.getLogger(LoginAttemptGuard.class);

	private final HubSecurityProperties.Lockout settings;

	private final Clock clock;

	private final Map<String, Attempts> attempts = new ConcurrentHashMap<>();

	public LoginAttemptGuard(HubSecurityProperties.Lockout settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
	}

	/** Whether logins for this user name, or from this address, are locked out now. */
	public boolean isLockedOut(String username, String remoteAddress) {
		if (!this.settings.isEnabled()) {
			return false;
		}
		Instant now = this.clock.instant();
		return locked(userKey(username), now) || locked(addressKey(remoteAddress), now);
	}

	public void recordFailure(String username, String remoteAddress, String channel) {
		if (!this.settings.isEnabled()) {
			return;
		}
		Instant now = this.clock.instant();
		if (this.attempts.size() > PURGE_THRESHOLD) {
			purge(now);
		}
		fail(userKey(username), "user name '" + LogSafe.text(username) + "'", this.settings.getMaxFailures(), now,
				channel);
		fail(addressKey(remoteAddress), "address " + LogSafe.text(remoteAddress),
				this.settings.getMaxFailuresPerAddress(), now, channel);
	}

	/** A successful login forgets the user name's failures (not the address's). */
	public void recordSuccess(String username) {
		String key = userKey(username);
		if (key != null) {
			this.attempts.remove(key);
		}
	}

	private boolean locked(String key, Instant now) {
		if (key == null) {
			return false;
		}
		Attempts entry = this.attempts.get(key);
		if (entry == null) {
			return false;
		}
		synchronized (entry) {
			return entry.lockedUntil != null && now.isBefore(entry.lockedUntil);
		}
	}

	private void fail(String key, String subject, int maxFailures, Instant now, String channel) {
		if (key == null) {
			return;
		}
		Attempts entry = this.attempts.computeIfAbsent(key, (k) -> new Attempts());
		synchronized (entry) {
			if (entry.lockedUntil != null && now.isBefore(entry.lockedUntil)) {
				return;
			}
			Instant windowStart = now.minus(this.settings.getWindow());
			while (!entry.failures.isEmpty() && entry.failures.peekFirst().isBefore(windowStart)) {
				entry.failures.removeFirst();
			}
			entry.failures.addLast(now);
			if (entry.failures.size() >= maxFailures) {
				entry.failures.clear();
				entry.lockedUntil = now.plus(this.settings.getDuration());
				logger.warn("Logins for {} locked out for {} after {} failed attempts within {} (last one by {})",
						subject, format(this.settings.getDuration()), maxFailures,
						format(this.settings.getWindow()), channel);
			}
		}
	}

	private void purge(Instant now) {
		Instant windowStart = now.minus(this.settings.getWindow());
		this.attempts.entrySet().removeIf((e) -> {
			Attempts entry = e.getValue();
			synchronized (entry) {
				boolean unlocked = entry.lockedUntil == null || !now.isBefore(entry.lockedUntil);
				boolean stale = entry.failures.isEmpty() || entry.failures.peekLast().isBefore(windowStart);
				return unlocked && stale;
			}
		});
	}

	private static String userKey(String username) {
		return (username != null) ? "user:" + username : null;
	}

	private static String addressKey(String remoteAddress) {
		return (remoteAddress != null) ? "address:" + remoteAddress : null;
	}

	private static String format(Duration duration) {
		return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
	}

	private static final class Attempts {

		private final Deque<Instant> failures = new ArrayDeque<>();

		private Instant lockedUntil;

	}

}

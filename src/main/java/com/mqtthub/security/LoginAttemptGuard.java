package com.mqtthub.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slows password guessing on the web login and MQTT CONNECT alike, without giving strangers a
 * way to lock others out:
 * <ul>
 * <li>failures count per user name <em>and</em> address: after {@code max-failures} of them,
 * each further failure makes that pair wait, {@code delay} at first, twice as long each time, up
 * to {@code max-delay}; the same user name from another address is not affected;</li>
 * <li>failures count per address, whatever the user names: past {@code max-failures-per-address}
 * within the window the address is locked out for {@code duration}.</li>
 * </ul>
 * During a wait or lock-out even the right password is refused, with the same answer as a wrong
 * one. Administrators can list and clear both ({@link #lockouts()}, {@link #clear}).
 */
public class LoginAttemptGuard {

	/** Beyond this many tracked pairs and addresses, stale ones are dropped on the next failure. */
	private static final int PURGE_THRESHOLD = 10_000;

	/** Most tracked pairs and addresses; past it (after a purge) new ones are not tracked. */
	static final int MAX_TRACKED = 100_000;

	private static final Logger logger = LoggerFactory.getLogger(LoginAttemptGuard.class);

	private final HubSecurityProperties.Lockout settings;

	private final Clock clock;

	private final Map<Key, Attempts> attempts = new ConcurrentHashMap<>();

	public LoginAttemptGuard(HubSecurityProperties.Lockout settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
	}

	/** A user name and an address (a pair), or an address alone ({@code username} null). */
	private record Key(String username, String address) {

	}

	/**
	 * One current wait or lock-out.
	 * @param username the user name, or null for a lock-out of the whole address
	 * @param address the client address
	 * @param failures failures counted so far
	 * @param lockedUntil when logins are accepted again
	 */
	public record Lockout(String username, String address, int failures, Instant lockedUntil) {

	}

	/** Whether logins for this user name from this address are refused now. */
	public boolean isLockedOut(String username, String remoteAddress) {
		if (!this.settings.isEnabled()) {
			return false;
		}
		Instant now = this.clock.instant();
		String address = address(remoteAddress);
		return locked(new Key(null, address), now) || (username != null && locked(new Key(username, address), now));
	}

	public void recordFailure(String username, String remoteAddress, String channel) {
		if (!this.settings.isEnabled()) {
			return;
		}
		Instant now = this.clock.instant();
		if (this.attempts.size() > PURGE_THRESHOLD) {
			purge(now);
		}
		String address = address(remoteAddress);
		if (username != null) {
			failPair(new Key(username, address), now, channel);
		}
		failAddress(new Key(null, address), now, channel);
	}

	/** A successful login forgets the failures of its user name from its address (not the address's). */
	public void recordSuccess(String username, String remoteAddress) {
		if (username != null) {
			this.attempts.remove(new Key(username, address(remoteAddress)));
		}
	}

	/** The waits and lock-outs in force now, the longest first. */
	public List<Lockout> lockouts() {
		Instant now = this.clock.instant();
		List<Lockout> current = new ArrayList<>();
		this.attempts.forEach((key, entry) -> {
			synchronized (entry) {
				if (entry.lockedUntil != null && now.isBefore(entry.lockedUntil)) {
					current.add(new Lockout(key.username(), key.address(), Math.max(entry.failures(), entry.lockedAfter),
							entry.lockedUntil));
				}
			}
		});
		current.sort(Comparator.comparing(Lockout::lockedUntil).reversed());
		return current;
	}

	/**
	 * Forgets failures and lock-outs: of one user name from one address when both are given, of
	 * a user name from every address, of an address (its own lock-out and every user name's
	 * from it), or all when neither is given.
	 * @return how many entries were cleared
	 */
	public int clear(String username, String address) {
		int before = this.attempts.size();
		this.attempts.keySet()
			.removeIf((key) -> (username == null || username.equals(key.username()))
					&& (address == null || address.equals(key.address()))
					&& !(username != null && key.username() == null));
		int cleared = before - this.attempts.size();
		if (cleared > 0) {
			logger.info("Cleared {} login lock-out(s){}{}", cleared,
					(username != null) ? " of user name '" + LogSafe.text(username) + "'" : "",
					(address != null) ? " from address " + LogSafe.text(address) : "");
		}
		return cleared;
	}

	private boolean locked(Key key, Instant now) {
		Attempts entry = this.attempts.get(key);
		if (entry == null) {
			return false;
		}
		synchronized (entry) {
			return entry.lockedUntil != null && now.isBefore(entry.lockedUntil);
		}
	}

	private Attempts track(Key key, Instant now) {
		Attempts entry = this.attempts.get(key);
		if (entry == null && this.attempts.size() >= MAX_TRACKED) {
			purge(now);
			if (this.attempts.size() >= MAX_TRACKED) {
				return null;
			}
		}
		return (entry != null) ? entry : this.attempts.computeIfAbsent(key, (k) -> new Attempts());
	}

	private void failPair(Key key, Instant now, String channel) {
		Attempts entry = track(key, now);
		if (entry == null) {
			return;
		}
		synchronized (entry) {
			if (entry.lockedUntil != null && now.isBefore(entry.lockedUntil)) {
				return;
			}
			forgetOld(entry, now);
			entry.failures.addLast(now);
			int beyond = entry.failures.size() - this.settings.getMaxFailures();
			if (beyond >= 0) {
				Duration wait = delay(beyond);
				entry.lockedUntil = now.plus(wait);
				logger.warn("Logins for user name '{}' from {} wait {} after {} failed attempts (last one by {})",
						LogSafe.text(key.username()), LogSafe.text(key.address()), format(wait),
						entry.failures.size(), channel);
			}
		}
	}

	private void failAddress(Key key, Instant now, String channel) {
		Attempts entry = track(key, now);
		if (entry == null) {
			return;
		}
		synchronized (entry) {
			if (entry.lockedUntil != null && now.isBefore(entry.lockedUntil)) {
				return;
			}
			forgetOld(entry, now);
			entry.failures.addLast(now);
			if (entry.failures.size() >= this.settings.getMaxFailuresPerAddress()) {
				entry.lockedUntil = now.plus(this.settings.getDuration());
				entry.lockedAfter = entry.failures.size();
				logger.warn("Logins from address {} locked out for {} after {} failed attempts within {} (last one by {})",
						LogSafe.text(key.address()), format(this.settings.getDuration()), entry.failures.size(),
						format(this.settings.getWindow()), channel);
				entry.failures.clear();
			}
		}
	}

	/** {@code delay} doubled {@code beyond} times, at most {@code max-delay}. */
	private Duration delay(int beyond) {
		Duration delay = this.settings.getDelay();
		Duration max = this.settings.getMaxDelay();
		for (int i = 0; i < beyond && delay.compareTo(max) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return (delay.compareTo(max) > 0) ? max : delay;
	}

	private void forgetOld(Attempts entry, Instant now) {
		Instant windowStart = now.minus(this.settings.getWindow());
		while (!entry.failures.isEmpty() && entry.failures.peekFirst().isBefore(windowStart)) {
			entry.failures.removeFirst();
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

	private static String address(String remoteAddress) {
		return (remoteAddress != null) ? remoteAddress : "unknown";
	}

	private static String format(Duration duration) {
		return duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

	private static final class Attempts {

		/** Failures within the window; bounded, as a pair waits and an address locks well before. */
		private final Deque<Instant> failures = new ArrayDeque<>();

		private Instant lockedUntil;

		/** Failures that led to the current lock-out of an address (its list starts afresh). */
		private int lockedAfter;

		int failures() {
			return this.failures.size();
		}

	}

}

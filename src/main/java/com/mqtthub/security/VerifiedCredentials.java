package com.mqtthub.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Credentials verified a short while ago, so that a returning device connects without another
 * (slow on purpose) password hash. Entries are keyed by an HMAC-SHA256 of user name and password
 * under a random key made at start and kept only in memory: neither the password nor an
 * unkeyed hash of it is ever stored, and the entries are useless outside this process.
 * <p>
 * A user's entries go as soon as the user changes ({@link #forget}); a check that started before
 * the change cannot put its now stale answer back ({@link #generation}).
 */
final class VerifiedCredentials {

	private static final String ALGORITHM = "HmacSHA256";

	private final SecretKeySpec key;

	private final ThreadLocal<Mac> macs;

	private final long ttlNanos;

	private final int maxEntries;

	private final LongSupplier nanoTime;

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	private final AtomicLong generation = new AtomicLong();

	VerifiedCredentials(Duration ttl, int maxEntries, LongSupplier nanoTime) {
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		this.key = new SecretKeySpec(secret, ALGORITHM);
		this.macs = ThreadLocal.withInitial(this::newMac);
		this.ttlNanos = ttl.toNanos();
		this.maxEntries = maxEntries;
		this.nanoTime = nanoTime;
	}

	private record Entry(String username, long expiresAt) {

	}

	boolean enabled() {
		return this.ttlNanos > 0;
	}

	/** Taken before a slow check; {@link #remember} ignores answers from before a user change. */
	long generation() {
		return this.generation.get();
	}

	boolean contains(String username, byte[] password) {
		if (!enabled() || username == null || password == null) {
			return false;
		}
		String digest = digest(username, password);
		Entry entry = this.entries.get(digest);
		if (entry == null) {
			return false;
		}
		if (this.nanoTime.getAsLong() - entry.expiresAt() >= 0 || !entry.username().equals(username)) {
			this.entries.remove(digest, entry);
			return false;
		}
		return true;
	}

	void remember(String username, byte[] password, long generationBefore) {
		if (!enabled() || username == null || password == null) {
			return;
		}
		long now = this.nanoTime.getAsLong();
		if (this.entries.size() >= this.maxEntries) {
			this.entries.values().removeIf((e) -> now - e.expiresAt() >= 0);
			if (this.entries.size() >= this.maxEntries) {
				return;
			}
		}
		String digest = digest(username, password);
		this.entries.put(digest, new Entry(username, now + this.ttlNanos));
		if (this.generation.get() != generationBefore) {
			// A user changed while this check ran: its answer may be stale.
			this.entries.remove(digest);
		}
	}

	void forget(String username) {
		this.generation.incrementAndGet();
		this.entries.values().removeIf((e) -> e.username().equals(username));
	}

	int size() {
		return this.entries.size();
	}

	/** What would be stored for these credentials (for tests: never the password). */
	Iterable<String> storedKeys() {
		return this.entries.keySet();
	}

	private String digest(String username, byte[] password) {
		Mac mac = this.macs.get();
		byte[] name = username.getBytes(StandardCharsets.UTF_8);
		// Length first, so that no two (name, password) pairs feed the same bytes.
		mac.update(new byte[] { (byte) (name.length >>> 24), (byte) (name.length >>> 16), (byte) (name.length >>> 8),
				(byte) name.length });
		mac.update(name);
		return Base64.getEncoder().withoutPadding().encodeToString(mac.doFinal(password));
	}

	private Mac newMac() {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(this.key);
			return mac;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is part of every Java runtime", ex);
		}
	}

}

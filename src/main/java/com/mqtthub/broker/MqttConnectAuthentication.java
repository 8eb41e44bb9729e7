package com.mqtthub.broker;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Checks the credentials of each MQTT CONNECT. What memory can answer (a lock-out, a recently
 * verified password) is answered at once; the rest, password hashes that are slow on purpose,
 * runs on a small pool of its own, never on the network threads, behind rate limits per address
 * and in total and a short queue, so that a flood of bad CONNECTs costs a bounded amount of CPU
 * and cannot make good clients wait long. A check whose connection has closed meanwhile is
 * skipped.
 */
final class MqttConnectAuthentication {

	/** Addresses whose rate is tracked at most; beyond it new addresses share only the total rate. */
	static final int MAX_TRACKED_ADDRESSES = 10_000;

	private final MqttAuthenticator authenticator;

	private final ConnectCheckLimits limits;

	private final ThreadPoolExecutor executor;

	private final TokenBucket global;

	private final Map<String, TokenBucket> perAddress = new ConcurrentHashMap<>();

	private final LongSupplier nanoTime;

	private final Map<Outcome, LongAdder> counts = new ConcurrentHashMap<>();

	MqttConnectAuthentication(MqttAuthenticator authenticator) {
		this(authenticator, System::nanoTime);
	}

	MqttConnectAuthentication(MqttAuthenticator authenticator, LongSupplier nanoTime) {
		this.authenticator = authenticator;
		this.limits = authenticator.limits();
		this.nanoTime = nanoTime;
		this.global = new TokenBucket(this.limits.globalPerSecond(), this.limits.globalBurst(), nanoTime.getAsLong());
		this.executor = new ThreadPoolExecutor(this.limits.threads(), this.limits.threads(), 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(this.limits.queueCapacity()), new DefaultThreadFactory("mqtt-auth", true));
		this.executor.allowCoreThreadTimeOut(true);
		for (Outcome outcome : Outcome.values()) {
			this.counts.put(outcome, new LongAdder());
		}
	}

	enum Outcome {

		/** Valid credentials (or anonymous, when allowed). */
		ACCEPTED,
		/** Wrong credentials, or locked out: CONNACK 4. */
		BAD_CREDENTIALS,
		/** Over a rate limit or the queue is full: CONNACK 3. */
		OVERLOADED,
		/** The connection closed before its turn came: nothing was checked, nothing to answer. */
		GONE

	}

	/**
	 * @param remoteAddress the client's address as text (its host, no port)
	 * @param stillWanted asked right before the slow check: {@code false} when the connection
	 * has closed meanwhile, which skips the check
	 */
	CompletableFuture<Outcome> check(String clientId, String username, byte[] password, String remoteAddress,
			BooleanSupplier stillWanted) {
		if (username == null && password == null && this.authenticator.allowsAnonymous()) {
			return done(Outcome.ACCEPTED);
		}
		switch (this.authenticator.precheck(clientId, username, password, remoteAddress)) {
			case ACCEPT:
				return done(Outcome.ACCEPTED);
			case REFUSE:
				return done(Outcome.BAD_CREDENTIALS);
			default:
				break;
		}
		if (!admit(remoteAddress)) {
			return done(Outcome.OVERLOADED);
		}
		try {
			return CompletableFuture.supplyAsync(() -> {
				if (!stillWanted.getAsBoolean()) {
					return count(Outcome.GONE);
				}
				return count(this.authenticator.authenticate(clientId, username, password, remoteAddress)
						? Outcome.ACCEPTED : Outcome.BAD_CREDENTIALS);
			}, this.executor);
		}
		catch (RejectedExecutionException ex) {
			return done(Outcome.OVERLOADED);
		}
	}

	/** How many CONNECTs ended in this outcome since start. */
	long outcomes(Outcome outcome) {
		return this.counts.get(outcome).sum();
	}

	private boolean admit(String remoteAddress) {
		long now = this.nanoTime.getAsLong();
		TokenBucket address = addressBucket(remoteAddress, now);
		// The address first: one noisy address must not use up the total.
		return (address == null || address.tryTake(now)) && this.global.tryTake(now);
	}

	private TokenBucket addressBucket(String remoteAddress, long now) {
		if (remoteAddress == null) {
			return null;
		}
		TokenBucket bucket = this.perAddress.get(remoteAddress);
		if (bucket != null) {
			return bucket;
		}
		if (this.perAddress.size() >= MAX_TRACKED_ADDRESSES) {
			this.perAddress.values().removeIf((b) -> b.isFull(now));
			if (this.perAddress.size() >= MAX_TRACKED_ADDRESSES) {
				return null;
			}
		}
		return this.perAddress.computeIfAbsent(remoteAddress,
				(a) -> new TokenBucket(this.limits.perAddressPerSecond(), this.limits.perAddressBurst(), now));
	}

	private CompletableFuture<Outcome> done(Outcome outcome) {
		return CompletableFuture.completedFuture(count(outcome));
	}

	private Outcome count(Outcome outcome) {
		this.counts.get(outcome).increment();
		return outcome;
	}

	void shutdown() {
		this.executor.shutdownNow();
	}

}

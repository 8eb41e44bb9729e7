package com.mqtthub.broker;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Checks the credentials of each MQTT CONNECT off the network threads: password hashes are slow
 * on purpose, and one event loop serves many connections.
 */
final class MqttConnectAuthentication {

	/** CONNECTs waiting for a check beyond this are refused as "server unavailable". */
	private static final int QUEUE_CAPACITY = 10_000;

	private final MqttAuthenticator authenticator;

	private final ThreadPoolExecutor executor;

	MqttConnectAuthentication(MqttAuthenticator authenticator) {
		this.authenticator = authenticator;
		int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
		this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(QUEUE_CAPACITY), new DefaultThreadFactory("mqtt-auth", true));
		this.executor.allowCoreThreadTimeOut(true);
	}

	enum Outcome {

		ACCEPTED, BAD_CREDENTIALS, OVERLOADED

	}

	/**
	 * @param remoteAddress the client's address as text (its host, no port)
	 */
	CompletableFuture<Outcome> check(String clientId, String username, byte[] password, String remoteAddress) {
		if (username == null && password == null && this.authenticator.allowsAnonymous()) {
			return CompletableFuture.completedFuture(Outcome.ACCEPTED);
		}
		try {
			return CompletableFuture.supplyAsync(() -> this.authenticator
				.authenticate(clientId, username, password, remoteAddress) ? Outcome.ACCEPTED : Outcome.BAD_CREDENTIALS,
					this.executor);
		}
		catch (RejectedExecutionException ex) {
			return CompletableFuture.completedFuture(Outcome.OVERLOADED);
		}
	}

	void shutdown() {
		this.executor.shutdownNow();
	}

}

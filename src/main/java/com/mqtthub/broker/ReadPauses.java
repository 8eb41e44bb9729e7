package com.mqtthub.broker;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The reasons a connection is not read from, so that handlers which pause reading for
 * different reasons do not undo each other: reading ({@code autoRead}) resumes only when no
 * reason is left. Safe from any thread (back-pressure pauses a publisher from a session loop).
 */
final class ReadPauses {

	/** Why reading from a connection is paused. */
	enum Reason {

		/** Its CONNECT is being checked ({@link ProtocolGuard}). */
		HANDSHAKE,

		/** The engine's command queue is behind with its packets ({@link ProtocolGuard}). */
		ENGINE,

		/** A subscriber it publishes to is behind ({@link PublisherBackPressure}). */
		BACK_PRESSURE

	}

	private static final AttributeKey<ReadPauses> KEY = AttributeKey.valueOf(ReadPauses.class, "readPauses");

	private final Channel channel;

	private int reasons;

	private ReadPauses(Channel channel) {
		this.channel = channel;
	}

	private static ReadPauses of(Channel channel) {
		ReadPauses pauses = channel.attr(KEY).get();
		if (pauses == null) {
			ReadPauses created = new ReadPauses(channel);
			pauses = channel.attr(KEY).setIfAbsent(created);
			if (pauses == null) {
				pauses = created;
			}
		}
		return pauses;
	}

	/** Stops reading from {@code channel} for {@code reason}. */
	static void pause(Channel channel, Reason reason) {
		of(channel).update(reason, true);
	}

	/** Lifts {@code reason}; reading resumes when no other reason holds. */
	static void resume(Channel channel, Reason reason) {
		of(channel).update(reason, false);
	}

	/** Whether {@code reason} holds for {@code channel}. */
	static boolean pausedFor(Channel channel, Reason reason) {
		ReadPauses pauses = channel.attr(KEY).get();
		return pauses != null && pauses.holds(reason);
	}

	private synchronized boolean holds(Reason reason) {
		return (this.reasons & (1 << reason.ordinal())) != 0;
	}

	private synchronized void update(Reason reason, boolean paused) {
		int bit = 1 << reason.ordinal();
		this.reasons = paused ? (this.reasons | bit) : (this.reasons & ~bit);
		// Under the lock: two threads must not apply their decisions in the wrong order.
		this.channel.config().setAutoRead(this.reasons == 0);
	}

}

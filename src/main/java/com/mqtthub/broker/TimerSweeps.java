package com.mqtthub.broker;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;

/**
 * One sweep per network event loop in place of two timers per connection ({@link ConnectionTimers}):
 * every {@link #TICK_MILLIS} ms it looks at each connection of its loop. An idle connection then
 * holds no scheduled task, no timer handlers and no contexts for them, only its place in a list.
 * Each sweep and its list belong to one event loop and are touched only from it.
 */
final class TimerSweeps {

	static final long TICK_MILLIS = 250;

	/** The engine's resend interval (5 s) in ticks. */
	static final int RESEND_TICKS = 20;

	private final Map<EventExecutor, Sweep> sweeps = new ConcurrentHashMap<>();

	private final LongSupplier clock;

	private final Predicate<Channel> takeOver;

	private final Predicate<Channel> mayResend;

	private final Consumer<Channel> resend;

	private final ClientAddresses addresses;

	/**
	 * @param takeOver takes the engine's own keep-alive and resend handlers out of a connection's
	 * pipeline; false while the engine has not added them yet
	 * @param mayResend whether the connection's session has anything the engine could send again
	 * (false: its resend is skipped, an idle connection's tick then costs no event and no command)
	 * @param resend asks the engine to send again what the connection's client has not acknowledged
	 * @param addresses the client's own address for a connection made in-process (log lines)
	 */
	TimerSweeps(LongSupplier clock, Predicate<Channel> takeOver, Predicate<Channel> mayResend,
			Consumer<Channel> resend, ClientAddresses addresses) {
		this.clock = clock;
		this.takeOver = takeOver;
		this.mayResend = mayResend;
		this.resend = resend;
		this.addresses = addresses;
	}

	/** The address of {@code channel}'s client, as log lines name it. */
	SocketAddress clientAddress(Channel channel) {
		return this.addresses.resolve(channel.remoteAddress());
	}

	void enter(ConnectionTimers timers, EventExecutor loop) {
		this.sweeps.computeIfAbsent(loop, Sweep::new).add(timers);
	}

	boolean takeOverEngineTimers(Channel channel) {
		return this.takeOver.test(channel);
	}

	/** Asks the engine to resend, unless the connection has nothing it could resend. */
	void resend(Channel channel) {
		if (this.mayResend.test(channel)) {
			this.resend.accept(channel);
		}
	}

	/** Connections in the sweep of {@code loop}. */
	int size(EventExecutor loop) {
		Sweep sweep = this.sweeps.get(loop);
		return (sweep != null) ? sweep.size : 0;
	}

	final class Sweep {

		private ConnectionTimers first;

		private int size;

		private long ticks;

		Sweep(EventExecutor loop) {
			loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
		}

		void add(ConnectionTimers timers) {
			timers.sweep = this;
			timers.resendPhase = (int) (this.ticks % RESEND_TICKS);
			timers.previous = null;
			timers.next = this.first;
			if (this.first != null) {
				this.first.previous = timers;
			}
			this.first = timers;
			this.size++;
		}

		void remove(ConnectionTimers timers) {
			if (timers.previous != null) {
				timers.previous.next = timers.next;
			}
			else {
				this.first = timers.next;
			}
			if (timers.next != null) {
				timers.next.previous = timers.previous;
			}
			timers.previous = null;
			timers.next = null;
			timers.sweep = null;
			this.size--;
		}

		private void tick() {
			long now = TimerSweeps.this.clock.getAsLong();
			long tick = ++this.ticks;
			ConnectionTimers timers = this.first;
			while (timers != null) {
				ConnectionTimers next = timers.next;
				try {
					timers.tick(now, tick);
				}
				catch (RuntimeException ex) {
					// One connection's trouble must not stop the sweep of all the others.
					timers.sweepFailed(ex);
				}
				timers = next;
			}
		}

	}

}

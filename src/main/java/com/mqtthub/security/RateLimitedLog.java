package com.mqtthub.security;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * Warnings of one kind, at most {@code lines} per {@code period}: what clients can trigger at will
 * (refused connections, closed sockets) must not flood the log. Past the allowance the lines are
 * only counted, and one summary line ("... and 42 more refused MQTT connections in the last 1m")
 * follows when the period ends. Thread safe; one instance per kind of warning.
 */
public final class RateLimitedLog {

	/** Writes the summaries: one daemon thread for every instance, idle but for a summary a period. */
	private static final ScheduledExecutorService summaries = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "log-summaries");
		thread.setDaemon(true);
		return thread;
	});

	private final Logger logger;

	private final String kind;

	private final int lines;

	private final long periodNanos;

	private final LongSupplier clock;

	private final Later later;

	private long periodStart;

	private boolean periodOpen;

	private int written;

	private long suppressed;

	/** Lines of one kind a period, by default: what the README promises for refusals at the door. */
	public static final int DEFAULT_LINES = 10;

	/** The default period. */
	public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(1);

	/**
	 * At most {@value #DEFAULT_LINES} lines a minute.
	 * @param kind what the warnings are about, in the plural, for the summary ("refused MQTT connections")
	 */
	public RateLimitedLog(Logger logger, String kind) {
		this(logger, kind, DEFAULT_LINES, DEFAULT_PERIOD);
	}

	/**
	 * @param kind what the warnings are about, in the plural, for the summary ("refused MQTT connections")
	 */
	public RateLimitedLog(Logger logger, String kind, int lines, Duration period) {
		this(logger, kind, lines, period, System::nanoTime,
				(task, nanos) -> summaries.schedule(task, nanos, TimeUnit.NANOSECONDS));
	}

	RateLimitedLog(Logger logger, String kind, int lines, Duration period, LongSupplier clock, Later later) {
		this.logger = logger;
		this.kind = kind;
		this.lines = lines;
		this.periodNanos = period.toNanos();
		this.clock = clock;
		this.later = later;
	}

	/** Logs at WARN, as {@link Logger#warn(String, Object...)} would, unless the period's lines are used up. */
	public void warn(String format, Object... arguments) {
		if (admit()) {
			this.logger.warn(format, arguments);
		}
	}

	private synchronized boolean admit() {
		long now = this.clock.getAsLong();
		if (!this.periodOpen || now - this.periodStart >= this.periodNanos) {
			endPeriod();
			this.periodOpen = true;
			this.periodStart = now;
		}
		if (this.written < this.lines) {
			this.written++;
			return true;
		}
		if (this.suppressed++ == 0) {
			long start = this.periodStart;
			this.later.run(() -> summarize(start), start + this.periodNanos - now);
		}
		return false;
	}

	/** At the end of the period that started at {@code start}, unless a later call ended it already. */
	private synchronized void summarize(long start) {
		if (this.periodOpen && this.periodStart == start) {
			endPeriod();
		}
	}

	/** Writes the summary of the period, if anything was left out, and closes it. */
	private void endPeriod() {
		if (this.suppressed > 0) {
			this.logger.warn("... and {} more {} in the last {}", this.suppressed, this.kind,
					Duration.ofNanos(this.periodNanos).toString().substring(2).toLowerCase(Locale.ROOT));
		}
		this.suppressed = 0;
		this.written = 0;
		this.periodOpen = false;
	}

	/** Runs a task after a delay (a seam for tests). */
	interface Later {

		void run(Runnable task, long delayNanos);

	}

}

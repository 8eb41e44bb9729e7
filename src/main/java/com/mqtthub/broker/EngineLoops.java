package com.mqtthub.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.moquette.broker.MoquetteCore;

/**
 * Watches the broker engine's session loops, where every session's commands run: tasks that
 * failed there (each one logged and its connection closed by the engine's guard) are counted,
 * and a probe queued on every loop in turn shows whether each loop still gets through its work.
 * A loop that has not answered its probe for {@code mqtthub.broker.loop-probe-timeout} is stuck,
 * and the broker's health says so.
 */
public final class EngineLoops {

	private final Duration timeout;

	private final LongAdder taskFailures = new LongAdder();

	private volatile Watch watch;

	EngineLoops(Duration timeout) {
		this.timeout = timeout;
	}

	/** Starts probing the loops of {@code core} until {@link #stop()}. */
	synchronized void watch(MoquetteCore core) {
		stop();
		core.onTaskFailure((loop, error) -> this.taskFailures.increment());
		Watch started = new Watch(core);
		long every = Math.min(1000, Math.max(50, this.timeout.toMillis() / 5));
		started.probes.scheduleWithFixedDelay(started::tick, 0, every, TimeUnit.MILLISECONDS);
		this.watch = started;
	}

	synchronized void stop() {
		Watch running = this.watch;
		this.watch = null;
		if (running != null) {
			running.probes.shutdownNow();
		}
	}

	/** Tasks that failed on a session loop since the application started. */
	public long taskFailures() {
		return this.taskFailures.sum();
	}

	/** How long a loop may take to answer its probe. */
	public Duration timeout() {
		return this.timeout;
	}

	/** How many session loops are watched (0 when the broker is not running). */
	public int loopCount() {
		Watch running = this.watch;
		return (running != null) ? running.loops.length : 0;
	}

	/** The loops that have not answered a probe within the timeout, with how long they have not. */
	public List<StuckLoop> stuck() {
		Watch running = this.watch;
		return (running != null) ? running.stuck(System.nanoTime(), this.timeout.toNanos()) : List.of();
	}

	/** A session loop that has not answered its probe for {@code waiting}. */
	public record StuckLoop(String name, Duration waiting) {
	}

	/** The probes of one running engine, on a thread of their own. */
	private static final class Watch {

		private final MoquetteCore core;

		private final Loop[] loops;

		private final ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "mqtthub-loop-probe");
			thread.setDaemon(true);
			return thread;
		});

		Watch(MoquetteCore core) {
			this.core = core;
			this.loops = new Loop[core.sessionLoopCount()];
			for (int i = 0; i < this.loops.length; i++) {
				this.loops[i] = new Loop(core.sessionLoopName(i));
			}
		}

		/** Queues a probe on every loop that has none queued: at most one per loop at a time. */
		void tick() {
			long now = System.nanoTime();
			for (int i = 0; i < this.loops.length; i++) {
				Loop loop = this.loops[i];
				if (!loop.probing(now)) {
					continue;
				}
				boolean queued;
				try {
					queued = this.core.probeSessionLoop(i, loop::answered);
				}
				catch (RuntimeException ex) {
					queued = false;
				}
				if (!queued) {
					// Its queue is full: try again at the next tick, the wait goes on counting.
					loop.notQueued();
				}
			}
		}

		List<StuckLoop> stuck(long now, long timeoutNanos) {
			List<StuckLoop> stuck = new ArrayList<>();
			for (Loop loop : this.loops) {
				long waiting = loop.waiting(now);
				if (waiting >= timeoutNanos) {
					stuck.add(new StuckLoop(loop.name, Duration.ofNanos(waiting)));
				}
			}
			return stuck;
		}

	}

	/** The probe state of one loop. */
	private static final class Loop {

		private static final long NONE = Long.MIN_VALUE;

		private final String name;

		/** When the unanswered probe was first tried, or NONE. */
		private long waitingSince = NONE;

		private boolean queued;

		Loop(String name) {
			this.name = name;
		}

		/** Whether a probe is to be queued now (then it counts as queued). */
		synchronized boolean probing(long now) {
			if (this.queued) {
				return false;
			}
			this.queued = true;
			if (this.waitingSince == NONE) {
				this.waitingSince = now;
			}
			return true;
		}

		synchronized void notQueued() {
			this.queued = false;
		}

		synchronized void answered() {
			this.queued = false;
			this.waitingSince = NONE;
		}

		synchronized long waiting(long now) {
			return (this.waitingSince == NONE) ? 0 : now - this.waitingSince;
		}

	}

}

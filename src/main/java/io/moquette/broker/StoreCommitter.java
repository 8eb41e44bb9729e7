package io.moquette.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: whoever must not answer before the store is on disk hands an action here; one
 * thread commits the store and then runs every action that was waiting, so that under load one
 * commit serves many acknowledgements.
 * <p>
 * While acknowledgements come from a few clients at once (the last commit served more than one
 * and fewer than {@value #ENOUGH}), a commit waits up to the linger time for more to join it, or
 * until {@value #ENOUGH} are waiting. Each commit costs a round trip to every session loop (see
 * {@code MoquetteCore.drainBeforeCommit}), a write and a wake-up of this thread: at a few
 * thousand messages a second, one at a time, that work per message was about a sixth of the
 * broker's CPU, and the wake-ups delayed the deliveries themselves. A lone client waiting for each
 * acknowledgement before it sends the next is never held back: its commits serve one each. Nor
 * is a broker at its limit, whose commits already serve {@value #ENOUGH} or more: lingering there
 * would only hold back the acknowledgements that let publishers go on.
 */
final class StoreCommitter {

	private static final Logger logger = LoggerFactory.getLogger(StoreCommitter.class);

	/** Acknowledgements worth a commit without lingering for more. */
	static final int ENOUGH = 8;

	private final MVStore store;

	private final long lingerNanos;

	/** Whether the next commit lingers: the last served more than one and fewer than {@link #ENOUGH}. */
	private boolean lingerNext;

	/** Set while the thread lingers: an action that makes {@link #ENOUGH} wakes it. */
	private volatile boolean lingering;

	private final LinkedBlockingQueue<Runnable> waiting = new LinkedBlockingQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	/** Runs before each commit (on the committing thread); nothing by default. */
	private volatile Runnable beforeCommit = () -> {
	};

	/**
	 * @param lingerNanos how long a commit waits for more acknowledgements while a few clients
	 * are being acknowledged; 0 commits at once
	 */
	StoreCommitter(MVStore store, long lingerNanos) {
		this.store = store;
		this.lingerNanos = lingerNanos;
		this.thread = new Thread(this::run, "mqtt-store-commit");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	int pending() {
		return this.waiting.size();
	}

	/** Work that must be finished before a commit may release the acknowledgements waiting for it. */
	void beforeEachCommit(Runnable action) {
		this.beforeCommit = action;
	}

	void afterCommit(Runnable action) {
		this.waiting.add(action);
		if (this.lingering && this.waiting.size() >= ENOUGH - 1) {
			LockSupport.unpark(this.thread);
		}
	}

	private void run() {
		List<Runnable> batch = new ArrayList<>();
		while (this.running) {
			try {
				Runnable first = this.waiting.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				if (this.lingerNext && this.lingerNanos > 0) {
					linger();
				}
				this.waiting.drainTo(batch);
				this.lingerNext = batch.size() > 1 && batch.size() < ENOUGH;
				this.beforeCommit.run();
				commit();
				for (Runnable action : batch) {
					action.run();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				logger.error("Committing the broker's store failed; acknowledgements are held back", ex);
			}
			finally {
				batch.clear();
			}
		}
	}

	private void linger() {
		long until = System.nanoTime() + this.lingerNanos;
		this.lingering = true;
		try {
			long left;
			while (this.waiting.size() < ENOUGH - 1 && (left = until - System.nanoTime()) > 0 && this.running
					&& !Thread.currentThread().isInterrupted()) {
				LockSupport.parkNanos(this, left);
			}
		}
		finally {
			this.lingering = false;
		}
	}

	private void commit() {
		if (!this.store.isClosed()) {
			this.store.commit();
		}
	}

	/** Stops committing; actions still waiting are dropped with their connections. */
	void stop() {
		this.running = false;
		this.thread.interrupt();
		try {
			this.thread.join(5_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

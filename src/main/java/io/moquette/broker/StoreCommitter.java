package io.moquette.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: whoever must not answer before the store is on disk hands an action here; one
 * thread commits the store and then runs every action that was waiting, so that under load one
 * commit serves many acknowledgements.
 */
final class StoreCommitter {

	private static final Logger logger = LoggerFactory.getLogger(StoreCommitter.class);

	private final MVStore store;

	private final LinkedBlockingQueue<Runnable> waiting = new LinkedBlockingQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	/** Runs before each commit (on the committing thread); nothing by default. */
	private volatile Runnable beforeCommit = () -> {
	};

	StoreCommitter(MVStore store) {
		this.store = store;
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
				this.waiting.drainTo(batch);
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

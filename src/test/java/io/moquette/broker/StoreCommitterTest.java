package io.moquette.broker;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group commit lingers for more acknowledgements only while a few clients are being
 * acknowledged at once; a lone client waiting for each acknowledgement is never held back, nor
 * are commits that already serve enough. The
 * linger here is far longer than any wait the tests allow, so a commit that lingered when it
 * must not shows as a timeout.
 */
class StoreCommitterTest {

	private static final long LINGER = TimeUnit.SECONDS.toNanos(60);

	private final MVStore store = new MVStore.Builder().open();

	private final StoreCommitter committer = new StoreCommitter(this.store, LINGER);

	private final AtomicInteger commits = new AtomicInteger();

	@AfterEach
	void stop() {
		this.committer.stop();
		this.store.close();
	}

	@Test
	void aLoneAcknowledgementIsCommittedAtOnce() throws Exception {
		this.committer.beforeEachCommit(this.commits::incrementAndGet);
		for (int i = 0; i < 3; i++) {
			CountDownLatch answered = new CountDownLatch(1);
			this.committer.afterCommit(answered::countDown);
			assertThat(answered.await(10, TimeUnit.SECONDS)).as("acknowledgement %d", i).isTrue();
		}
		assertThat(this.commits.get()).isEqualTo(3);
	}

	@Test
	void afterASharedCommitTheNextWaitsForMoreToShareIt() throws Exception {
		CountDownLatch firstCommitStarted = new CountDownLatch(1);
		CountDownLatch firstCommitMayGoOn = new CountDownLatch(1);
		this.committer.beforeEachCommit(() -> {
			if (this.commits.incrementAndGet() == 1) {
				firstCommitStarted.countDown();
				await(firstCommitMayGoOn);
			}
		});
		CountDownLatch early = new CountDownLatch(3);
		this.committer.afterCommit(early::countDown);
		assertThat(firstCommitStarted.await(10, TimeUnit.SECONDS)).isTrue();
		// Two more arrive while the first commit is under way: the next commit serves both.
		this.committer.afterCommit(early::countDown);
		this.committer.afterCommit(early::countDown);
		firstCommitMayGoOn.countDown();
		assertThat(early.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.commits.get()).isEqualTo(2);

		// So the next one waits for more, and commits as soon as there are enough.
		CountDownLatch later = new CountDownLatch(StoreCommitter.ENOUGH);
		this.committer.afterCommit(later::countDown);
		Thread.sleep(200);
		assertThat(later.getCount()).as("held back while it waits for more").isEqualTo(StoreCommitter.ENOUGH);
		for (int i = 1; i < StoreCommitter.ENOUGH; i++) {
			this.committer.afterCommit(later::countDown);
		}
		assertThat(later.await(10, TimeUnit.SECONDS)).as("committed once there were enough").isTrue();
		assertThat(this.commits.get()).as("one commit for all of them").isEqualTo(3);

		// That commit served enough: the next is not held back.
		CountDownLatch alone = new CountDownLatch(1);
		this.committer.afterCommit(alone::countDown);
		assertThat(alone.await(10, TimeUnit.SECONDS)).as("after a commit for enough of them").isTrue();
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

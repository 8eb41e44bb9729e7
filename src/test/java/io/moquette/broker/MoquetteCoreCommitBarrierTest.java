package io.moquette.broker;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An acknowledgement waits for the commit, and the commit waits for the work acknowledged
 * messages set off: the session loops' queued commands and what they queued on the network loops
 * where the hub records messages in flight.
 */
class MoquetteCoreCommitBarrierTest {

	@TempDir
	Path data;

	@Test
	void aCommitWaitsForWorkQueuedOnTheLoopsThatRecordMessagesInFlight() throws Exception {
		MoquetteCore core = InMemoryCores.startStored(this.data);
		DefaultEventLoop network = new DefaultEventLoop();
		try {
			core.recordsInFlightOn(network);
			AtomicBoolean recorded = new AtomicBoolean();
			// A send to a subscriber, queued on its connection's loop, still to record its message.
			network.execute(() -> {
				sleep(300);
				recorded.set(true);
			});
			CompletableFuture<Boolean> seenAtAcknowledgement = new CompletableFuture<>();
			core.afterCommit(() -> seenAtAcknowledgement.complete(recorded.get()));
			assertThat(seenAtAcknowledgement.get(10, TimeUnit.SECONDS)).isTrue();

			AtomicBoolean routed = new AtomicBoolean();
			// A routed PUBLISH still queued on a session loop.
			core.afterQueuedCommands("someone", () -> {
				sleep(300);
				routed.set(true);
			});
			CompletableFuture<Boolean> seenAfterRouting = new CompletableFuture<>();
			core.afterCommit(() -> seenAfterRouting.complete(routed.get()));
			assertThat(seenAfterRouting.get(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			network.shutdownGracefully();
			core.stop();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

package com.mqtthub.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.moquette.broker.InMemoryCores;
import io.moquette.broker.MoquetteCore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watch over the engine's session loops, against a real engine: a loop blocked by a task is
 * reported stuck (by name, with how long) once it has not answered its probe within the timeout,
 * and no longer once it answers; the other loops are not; failed tasks are counted.
 */
class EngineLoopsTest {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	@TempDir
	Path data;

	private MoquetteCore core;

	private final EngineLoops loops = new EngineLoops(TIMEOUT);

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
		this.loops.watch(this.core);
	}

	@AfterEach
	void stop() {
		this.loops.stop();
		this.core.stop();
	}

	@Test
	void aBlockedLoopIsReportedStuckUntilItAnswersAgain() throws Exception {
		assertThat(this.loops.loopCount()).isEqualTo(this.core.sessionLoopCount());
		assertThat(this.loops.stuck()).isEmpty();
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<String> blocked = new CompletableFuture<>();
		this.core.afterQueuedCommands("a-client", () -> {
			blocked.complete(Thread.currentThread().getName());
			await(release);
		});
		String name = blocked.get(10, TimeUnit.SECONDS);
		try {
			assertThat(eventually(() -> !this.loops.stuck().isEmpty())).as("reported stuck").isTrue();
			List<EngineLoops.StuckLoop> stuck = this.loops.stuck();
			assertThat(stuck).singleElement().satisfies((loop) -> {
				assertThat(loop.name()).isEqualTo(name);
				assertThat(loop.waiting()).isGreaterThanOrEqualTo(TIMEOUT);
			});
		}
		finally {
			release.countDown();
		}
		assertThat(eventually(() -> this.loops.stuck().isEmpty())).as("answers again").isTrue();
	}

	@Test
	void failedTasksAreCounted() throws Exception {
		this.core.afterQueuedCommands("a-client", () -> {
			throw new IllegalStateException("a bug");
		});
		this.core.afterQueuedCommands("another-client", () -> {
			throw new IllegalStateException("a bug");
		});
		assertThat(eventually(() -> this.loops.taskFailures() == 2)).as("two failures counted").isTrue();
	}

	/** Whether {@code condition} holds within 10 seconds. */
	private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(20);
		}
		return true;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

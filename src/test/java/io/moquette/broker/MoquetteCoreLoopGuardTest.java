package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every task on the engine's session loops runs behind a guard: whatever it throws (a real
 * stack overflow included) is logged in one line and reported, the connection of its session is
 * closed, and the loop runs the next task. Without the guard the engine rethrows and the loop's
 * thread ends, so the tasks queued after it never run.
 */
@ExtendWith(OutputCaptureExtension.class)
class MoquetteCoreLoopGuardTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path data;

	private MoquetteCore core;

	private final LinkedBlockingQueue<String> failures = new LinkedBlockingQueue<>();

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.start(this.data, List.of());
		this.core.onTaskFailure((loop, error) -> this.failures.add(loop + " " + error.getClass().getSimpleName()));
	}

	@AfterEach
	void stop() {
		this.core.stop();
	}

	@Test
	void everyLoopRunsItsNextTaskAfterOneThatThrew() throws Exception {
		int loops = this.core.sessionLoopCount();
		assertThat(loops).isPositive();
		CountDownLatch ranAfterwards = new CountDownLatch(3 * loops);
		for (int loop = 0; loop < loops; loop++) {
			assertThat(this.core.runOnSessionLoop(loop, () -> {
				throw new IllegalStateException("a bug");
			})).isTrue();
			this.core.runOnSessionLoop(loop, ranAfterwards::countDown);
			this.core.runOnSessionLoop(loop, () -> {
				throw new AssertionError("an error");
			});
			this.core.runOnSessionLoop(loop, ranAfterwards::countDown);
			// A real one: the loop's own stack, exhausted.
			this.core.runOnSessionLoop(loop, () -> recurse(0));
			this.core.runOnSessionLoop(loop, ranAfterwards::countDown);
		}
		assertThat(ranAfterwards.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("tasks after the failures ran").isTrue();
		List<String> reported = take(3 * loops);
		for (int loop = 0; loop < loops; loop++) {
			String name = this.core.sessionLoopName(loop);
			assertThat(reported).as("failures reported").contains(name + " IllegalStateException",
					name + " AssertionError", name + " StackOverflowError");
		}
	}

	@Test
	void theConnectionOfTheFailingSessionIsClosedAndTheLogLineIsEscaped(CapturedOutput output) throws Exception {
		EmbeddedChannel channel = new EmbeddedChannel(this.core.mqttHandler());
		channel.writeInbound(MqttMessageBuilders.connect()
			.clientId("guarded")
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(true)
			.keepAlive(60)
			.build());
		MqttConnAckMessage connAck = awaitOutbound(channel);
		assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);

		this.core.afterQueuedCommands("guarded", () -> {
			throw new IllegalArgumentException("bad topic\nFORGED log line");
		});
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (channel.isOpen() && System.nanoTime() < deadline) {
			channel.runPendingTasks();
			Thread.sleep(10);
		}
		assertThat(channel.isOpen()).as("the connection of the failed task is closed").isFalse();
		assertThat(take(1)).singleElement().asString().endsWith("IllegalArgumentException");
		assertThat(output.getAll()).contains("A broker engine task failed on ")
			.contains("client 'guarded'")
			.contains("java.lang.IllegalArgumentException: bad topic?FORGED log line; closed the client's connection")
			.doesNotContain("\nFORGED");
	}

	@Test
	void failuresAreLoggedAtMostTwentyTimesAMinuteAndAllReported(CapturedOutput output) throws Exception {
		int failing = 30;
		for (int i = 0; i < failing; i++) {
			this.core.runOnSessionLoop(i % this.core.sessionLoopCount(), () -> {
				throw new IllegalStateException("again");
			});
		}
		assertThat(take(failing)).hasSize(failing);
		int lines = output.getAll().split("A broker engine task failed on ", -1).length - 1;
		assertThat(lines).isEqualTo(20);
	}

	private static int recurse(int depth) {
		return recurse(depth + 1) + 1;
	}

	private List<String> take(int count) throws InterruptedException {
		List<String> taken = new java.util.ArrayList<>();
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (taken.size() < count && System.nanoTime() < deadline) {
			String failure = this.failures.poll(100, TimeUnit.MILLISECONDS);
			if (failure != null) {
				taken.add(failure);
			}
		}
		return taken;
	}

	private static MqttConnAckMessage awaitOutbound(EmbeddedChannel channel) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (System.nanoTime() < deadline) {
			channel.runPendingTasks();
			Object message = channel.readOutbound();
			if (message instanceof MqttConnAckMessage connAck) {
				return connAck;
			}
			Thread.sleep(10);
		}
		throw new AssertionError("No CONNACK within " + WAIT);
	}

}

package io.moquette.broker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe that paces a publisher waits for the engine's notification thread as well as for
 * the session loop: while that thread is behind, the probe does not come back, so the publisher
 * is not read further and the thread's unbounded queue cannot grow without bound.
 */
class MoquetteCoreNotificationProbeTest {

	@TempDir
	Path data;

	private MoquetteCore core;

	private final CountDownLatch notificationThreadFree = new CountDownLatch(1);

	private final CountDownLatch notificationThreadBusy = new CountDownLatch(1);

	@AfterEach
	void stop() {
		this.notificationThreadFree.countDown();
		if (this.core != null) {
			this.core.stop();
		}
	}

	@Test
	void theProbeComesBackOnlyOnceTheNotificationThreadCaughtUp() throws Exception {
		// Stands for a notification thread behind with its work.
		AbstractInterceptHandler slow = new AbstractInterceptHandler() {

			@Override
			public String getID() {
				return "slow";
			}

			@Override
			public void onSessionLoopError(Throwable error) {
			}

			@Override
			public void onConnect(InterceptConnectMessage message) {
				MoquetteCoreNotificationProbeTest.this.notificationThreadBusy.countDown();
				try {
					MoquetteCoreNotificationProbeTest.this.notificationThreadFree.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}

		};
		this.core = InMemoryCores.start(this.data, List.of(slow));
		EmbeddedChannel channel = new EmbeddedChannel(this.core.mqttHandler());
		channel.writeInbound(MqttMessageBuilders.connect()
			.clientId("publisher")
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(true)
			.build());
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (this.notificationThreadBusy.getCount() > 0 && System.nanoTime() < deadline) {
			channel.runPendingTasks();
			Thread.sleep(10);
		}
		assertThat(this.notificationThreadBusy.getCount()).as("the connect was notified").isZero();

		CountDownLatch sessionLoop = new CountDownLatch(1);
		CountDownLatch probe = new CountDownLatch(1);
		assertThat(this.core.afterQueuedCommands("publisher", sessionLoop::countDown)).isTrue();
		assertThat(this.core.afterQueuedCommandsAndNotifications("publisher", probe::countDown)).isTrue();
		assertThat(sessionLoop.await(10, TimeUnit.SECONDS)).as("the session loop is free").isTrue();
		assertThat(probe.await(300, TimeUnit.MILLISECONDS)).as("back while notifications wait").isFalse();

		this.notificationThreadFree.countDown();
		assertThat(probe.await(10, TimeUnit.SECONDS)).as("back once they are handled").isTrue();
		channel.finishAndReleaseAll();
	}

}

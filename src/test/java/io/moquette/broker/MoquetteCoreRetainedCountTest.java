package io.moquette.broker;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard counts retained messages every few seconds: the count must not load or copy
 * them (it once copied every payload). Measured as the bytes the counting thread allocates.
 */
class MoquetteCoreRetainedCountTest {

	private static final int MESSAGES = 40;

	private static final int PAYLOAD = 64 * 1024;

	@TempDir
	Path data;

	@ParameterizedTest(name = "persistence {0}")
	@ValueSource(booleans = { true, false })
	void countsRetainedMessagesWithoutCopyingThem(boolean persistence) throws Exception {
		MoquetteCore core = InMemoryCores.start(Files.createDirectories(this.data.resolve("store")), List.of(),
				persistence);
		try {
			for (int i = 0; i < MESSAGES; i++) {
				core.internalPublish(MqttMessageBuilders.publish()
					.topicName("state/" + i)
					.qos(MqttQoS.AT_LEAST_ONCE)
					.retained(true)
					.payload(Unpooled.wrappedBuffer(new byte[PAYLOAD]))
					.build(), "test");
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> core.retainedCount() == MESSAGES);

			com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
				.getThreadMXBean();
			long thread = Thread.currentThread().getId();
			core.retainedCount();
			long before = threads.getThreadAllocatedBytes(thread);
			long count = 0;
			for (int i = 0; i < 10; i++) {
				count = core.retainedCount();
			}
			long allocated = threads.getThreadAllocatedBytes(thread) - before;
			assertThat(count).isEqualTo(MESSAGES);
			// Ten counts of 40 messages of 64 KB: a copying count would allocate about 25 MB.
			assertThat(allocated).as("bytes allocated by ten counts").isLessThan(PAYLOAD);
		}
		finally {
			core.stop();
		}
	}

}

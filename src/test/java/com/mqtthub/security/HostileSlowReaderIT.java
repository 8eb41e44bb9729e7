package com.mqtthub.security;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.Limit;
import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscribers that never read, at QoS 1, fed {@value #MESSAGES} messages of about 1 MB (one with
 * a clean session, one with a persistent session), beside a well-behaved client. Before the
 * byte limits, the clean session's queue held every message in direct memory (about 1 MB of
 * direct memory per message, until {@code OutOfMemoryError}). Now: direct memory and heap stay
 * within the configured caps, both readers are cut off and counted, the persistent session's
 * queue keeps what fits in {@code max-queued-bytes} (the rest is dropped and counted), the
 * bystander is served throughout, and the persistent subscriber gets its queued messages when it
 * comes back and reads.
 */
@HubTest
@TestPropertySource(properties = { "mqtthub.broker.max-queued-bytes=16MB", "mqtthub.broker.max-client-backlog=12MB",
		"mqtthub.broker.slow-client-buffer=256KB" })
class HostileSlowReaderIT {

	private static final int MESSAGES = 120;

	private static final int PAYLOAD = 1_000_000;

	private static final long MB = 1024 * 1024;

	private static final long QUEUE_CAP = 16 * MB;

	private static final long BACKLOG_CAP = 12 * MB;

	/** Room for what the publisher, the bystander and the engine hold in flight, and measuring noise. */
	private static final long SLACK = 32 * MB;

	@Autowired
	private EmbeddedBroker broker;

	private static long directMemory() {
		for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
			if (pool.getName().equals("direct")) {
				return pool.getMemoryUsed();
			}
		}
		throw new IllegalStateException("No direct buffer pool");
	}

	private static long heapAfterGc() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** Connects and subscribes at QoS 1 with a tiny receive buffer, and from then on reads nothing. */
	private Socket sleeper(String clientId, boolean cleanSession, String topic) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(4096);
		socket.connect(new InetSocketAddress("127.0.0.1", this.broker.getTcpPort()), 5000);
		socket.setSoTimeout(10_000);
		socket.getOutputStream()
			.write(new RawMqttClient.Connect(clientId).cleanSession(cleanSession).keepAlive(0).toBytes());
		socket.getOutputStream()
			.write(RawMqttClient.packet(RawMqttClient.SUBSCRIBE, 0x02,
					new RawMqttClient.Body().u16(1).string(topic).u8(1).bytes()));
		// CONNACK (4 bytes) and SUBACK (5 bytes): accepted and granted QoS 1.
		byte[] answers = new InputStreamReader(socket.getInputStream()).readExactly(9);
		assertThat(answers[3]).as("CONNACK return code").isZero();
		assertThat(answers[8]).as("granted QoS").isEqualTo((byte) 1);
		return socket;
	}

	private record InputStreamReader(InputStream in) {

		byte[] readExactly(int count) throws IOException {
			byte[] bytes = in.readNBytes(count);
			if (bytes.length != count) {
				throw new IOException("The connection ended after " + bytes.length + " bytes");
			}
			return bytes;
		}

	}

	/** Reads what the server had sent until it closes the connection; false if it stays open for 10 s. */
	private static boolean closedByServer(Socket socket) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		try {
			while (socket.getInputStream().read(buffer) >= 0) {
				// what was sent before the close
			}
			return true;
		}
		catch (java.net.SocketTimeoutException ex) {
			return false;
		}
		catch (java.net.SocketException ex) {
			return true;
		}
	}

	@Test
	void readersThatNeverReadAreCutOffWithinTheCapsWhileOthersAreServed() throws Exception {
		String topic = "hostile/slow/" + UUID.randomUUID();
		String persistentId = "sleeper-persistent-" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		long cutBefore = this.broker.getLimits().refusals(Limit.CLIENT_BACKLOG);
		long bytesDropsBefore = this.broker.getLimits().refusals(Limit.QUEUED_BYTES);
		long directBefore = directMemory();
		long heapBefore = heapAfterGc();
		long directPeak = directBefore;
		long heapFull;
		long heapAfterCut;
		Bystander.Report report;
		try (Bystander bystander = Bystander.start(this.broker.getTcpPort(), HubTest.ADMIN, HubTest.ADMIN_PASSWORD,
				"bystander/" + UUID.randomUUID(), Duration.ofMillis(50));
				Socket clean = sleeper("sleeper-clean-" + UUID.randomUUID(), true, topic);
				Socket persistent = sleeper(persistentId, false, topic);
				MqttTestClient publisher = MqttTestClient.connect(tcp, "fast-" + UUID.randomUUID())) {
			byte[] payload = new byte[PAYLOAD];
			for (int i = 0; i < MESSAGES; i++) {
				ByteBuffer.wrap(payload).putInt(i);
				publisher.publish(topic, payload, 1, false);
				directPeak = Math.max(directPeak, directMemory());
			}
			// Both queues are full now (unless the readers were cut off already, which frees one).
			heapFull = heapAfterGc();
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
				assertThat(this.broker.getLimits().refusals(Limit.CLIENT_BACKLOG) - cutBefore)
					.as("readers cut off for their backlog")
					.isEqualTo(2);
			});
			directPeak = Math.max(directPeak, directMemory());
			heapAfterCut = heapAfterGc();
			report = bystander.stop(Duration.ofSeconds(10));
			assertThat(closedByServer(clean)).as("the clean session's connection was closed").isTrue();
			assertThat(closedByServer(persistent)).as("the persistent session's connection was closed").isTrue();
		}
		System.out.printf("Slow readers: direct memory %d MB before, %d MB at most; heap after GC %d MB before, %d MB"
				+ " with both queues full, %d MB after the cut; %d messages dropped for queued bytes%n",
				directBefore / MB, directPeak / MB, heapBefore / MB, heapFull / MB, heapAfterCut / MB,
				this.broker.getLimits().refusals(Limit.QUEUED_BYTES) - bytesDropsBefore);
		System.out.println("Bystander: " + report);
		assertThat(report.unharmed()).as("bystander unharmed: %s", report).isTrue();
		// Unbounded, each queued message held about 1 MB of direct memory: 100 MB and more here.
		assertThat(directPeak - directBefore).as("direct memory taken during the attack")
			.isLessThan(2 * BACKLOG_CAP + SLACK);
		assertThat(Math.max(heapFull, heapAfterCut) - heapBefore).as("heap held while the queues are full")
			.isLessThan(2 * QUEUE_CAP + SLACK);
		assertThat(this.broker.getLimits().refusals(Limit.QUEUED_BYTES) - bytesDropsBefore)
			.as("messages dropped for the persistent session's full queue")
			.isPositive();

		// The persistent subscriber comes back and reads: what was in flight and what its queue kept.
		try (MqttTestClient back = MqttTestClient.connect(tcp, persistentId, MqttTestClient.options(false))) {
			List<MqttTestClient.Received> received = back.awaitMessages((int) (QUEUE_CAP / PAYLOAD) - 1,
					Duration.ofSeconds(30));
			Thread.sleep(1000);
			received.addAll(back.drain());
			Set<Integer> numbers = new TreeSet<>();
			for (MqttTestClient.Received message : received) {
				assertThat(message.topic()).isEqualTo(topic);
				numbers.add(ByteBuffer.wrap(message.message().getPayload()).getInt());
			}
			System.out.println("Persistent subscriber back: " + received.size() + " messages, numbers " + numbers);
			assertThat(numbers).hasSizeGreaterThanOrEqualTo((int) (QUEUE_CAP / PAYLOAD) - 1);
			// The oldest messages, none missing: what was dropped is what came after the queue was full.
			assertThat(numbers).containsExactlyElementsOf(
					java.util.stream.IntStream.range(0, numbers.size()).boxed().toList());
			back.paho().unsubscribe(topic);
		}
	}

}

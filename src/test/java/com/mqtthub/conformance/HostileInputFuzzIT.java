package com.mqtthub.conformance;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.RawMqttClient;
import com.mqtthub.testing.RawMqttClient.Body;
import com.mqtthub.testing.RawMqttClient.Connect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded hostile input over TCP and WebSocket: random bytes, truncated packets, lying and
 * oversized lengths, invalid UTF-8, wildcards in PUBLISH topics, packets before CONNECT, a second
 * CONNECT, an empty client id without clean session and bit-flipped valid packets. Every
 * offending connection must be closed, a well-behaved client must be served throughout, and the
 * log must not fill with errors.
 * <p>
 * CI runs a bounded campaign; a longer one: {@code ./mvnw verify -Dit.test=HostileInputFuzzIT
 * -Dfuzz.cases=5000 -Dfuzz.seed=7}.
 */
@HubTest
// Bit flips garble passwords too; counted as failed logins they would lock this machine's address out.
@TestPropertySource(properties = "mqtthub.security.lockout.enabled=false")
@ExtendWith(OutputCaptureExtension.class)
class HostileInputFuzzIT {

	private static final long SEED = Long.getLong("fuzz.seed", 20261125L);

	private static final int CASES = Integer.getInteger("fuzz.cases", 400);

	/** How long the broker has to close an offending connection. */
	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final Duration WAIT = Duration.ofSeconds(10);

	@Autowired
	private EmbeddedBroker broker;

	private final HttpClient http = HttpClient.newHttpClient();

	/** One fuzz case: the bytes to send, and whether the broker must close the connection. */
	private record Case(String kind, byte[] bytes, boolean mustClose) {

	}

	@Test
	void hostileConnectionsAreClosedWhileAWellBehavedClientIsServed(CapturedOutput output) throws Exception {
		Random random = new Random(SEED);
		String heartbeat = "fuzz/heartbeat/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		List<String> failures = new ArrayList<>();
		try (MqttTestClient watcher = MqttTestClient.connect(tcp, "fuzz-watcher-" + UUID.randomUUID());
				MqttTestClient beat = MqttTestClient.connect(tcp, "fuzz-beat-" + UUID.randomUUID())) {
			watcher.subscribe(heartbeat, 1);
			for (int i = 0; i < CASES; i++) {
				Case fuzzCase = nextCase(random);
				boolean overWebSocket = random.nextBoolean();
				boolean closed = overWebSocket ? runOverWebSocket(fuzzCase) : runOverTcp(fuzzCase);
				if (fuzzCase.mustClose() && !closed) {
					failures.add("case " + i + " (" + fuzzCase.kind() + (overWebSocket ? ", WebSocket" : ", TCP")
							+ ") was not closed: " + hex(fuzzCase.bytes()));
				}
				if (i % 20 == 0) {
					System.out.println("fuzz: " + i + " of " + CASES + " cases");
					beat.publish(heartbeat, "beat " + i, 1, false);
					assertThat(watcher.awaitMessage(WAIT).payload()).as("served after case " + i)
						.isEqualTo("beat " + i);
				}
			}
		}
		assertThat(failures).isEmpty();
		assertThat(output.getAll().lines().filter((line) -> line.contains(" ERROR ")).toList())
			.as("error lines in the log").isEmpty();
		assertThat(output.getAll()).as("stack traces in the log").doesNotContain("\tat io.");
	}

	private boolean runOverTcp(Case fuzzCase) throws IOException {
		try (RawMqttClient client = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			try {
				client.send(fuzzCase.bytes());
			}
			catch (IOException ex) {
				return true; // closed while we were still writing
			}
			return client.closedByServerWithin(fuzzCase.mustClose() ? CLOSE_WAIT : Duration.ofMillis(50));
		}
	}

	private boolean runOverWebSocket(Case fuzzCase) throws Exception {
		CompletableFuture<Void> closed = new CompletableFuture<>();
		WebSocket socket = this.http.newWebSocketBuilder()
			.subprotocols("mqtt")
			.buildAsync(URI.create("ws://127.0.0.1:" + this.broker.getWebSocketPort() + "/mqtt"),
					new WebSocket.Listener() {
						@Override
						public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
							webSocket.request(1);
							return null;
						}

						@Override
						public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
							closed.complete(null);
							return null;
						}

						@Override
						public void onError(WebSocket webSocket, Throwable error) {
							closed.complete(null);
						}
					})
			.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		try {
			socket.sendBinary(ByteBuffer.wrap(fuzzCase.bytes()), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (Exception ex) {
			return true;
		}
		try {
			closed.get(fuzzCase.mustClose() ? CLOSE_WAIT.toMillis() : 50, TimeUnit.MILLISECONDS);
			return true;
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return false;
		}
		finally {
			socket.abort();
		}
	}

	private static Case nextCase(Random random) {
		return switch (random.nextInt(11)) {
			case 0 -> new Case("random bytes", randomBytes(random, 1 + random.nextInt(300)), false);
			case 1 -> new Case("connect then random bytes",
					concat(connect(random), randomBytes(random, 1 + random.nextInt(100))), false);
			case 2 -> new Case("truncated connect", truncate(random, connect(random)), false);
			case 3 -> new Case("remaining length that lies", lyingLength(random), false);
			case 4 -> new Case("oversized declared length", oversized(random), true);
			case 5 -> new Case("invalid UTF-8 in topic", concat(connect(random), publishInvalidUtf8()), true);
			case 6 -> new Case("wildcard in PUBLISH topic", concat(connect(random),
					publish(random.nextBoolean() ? "fuzz/+/x" : "fuzz/#")), true);
			case 7 -> new Case("packet before CONNECT", publish("fuzz/early"), true);
			case 8 -> new Case("second CONNECT", concat(connect(random), connect(random)), true);
			case 9 -> new Case("empty client id without clean session",
					new Connect("").cleanSession(false).toBytes(), true);
			default -> new Case("bit-flipped packets", flip(random, concat(connect(random), subscribeAndPublish())),
					false);
		};
	}

	private static byte[] connect(Random random) {
		return new Connect("fuzz-" + Long.toHexString(random.nextLong())).toBytes();
	}

	private static byte[] publish(String topic) {
		return RawMqttClient.packet(RawMqttClient.PUBLISH, 0,
				new Body().string(topic).raw("x".getBytes(StandardCharsets.UTF_8)).bytes());
	}

	private static byte[] publishInvalidUtf8() {
		byte[] topic = { 'f', 'u', 'z', 'z', '/', (byte) 0xC3, (byte) 0x28 };
		return RawMqttClient.packet(RawMqttClient.PUBLISH, 0, new Body().binary(topic).raw(new byte[] { 1 }).bytes());
	}

	private static byte[] subscribeAndPublish() {
		return concat(RawMqttClient.packet(RawMqttClient.SUBSCRIBE, 0x02,
				new Body().u16(1).string("fuzz/flip/#").u8(1).bytes()), publish("fuzz/flip/x"));
	}

	private static byte[] lyingLength(Random random) {
		// Says more bytes follow than ever come.
		byte[] connect = new Connect("liar").toBytes();
		connect[1] = (byte) (connect[1] + 1 + random.nextInt(50));
		return connect;
	}

	private static byte[] oversized(Random random) {
		// A PUBLISH declaring up to 256 MiB, the largest a remaining length can say.
		byte[] header = { 0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F };
		return concat(new Connect("big-" + random.nextInt(1000)).toBytes(), header);
	}

	private static byte[] truncate(Random random, byte[] packet) {
		return Arrays.copyOf(packet, 1 + random.nextInt(packet.length - 1));
	}

	private static byte[] flip(Random random, byte[] packet) {
		byte[] flipped = packet.clone();
		int flips = 1 + random.nextInt(4);
		for (int i = 0; i < flips; i++) {
			int at = random.nextInt(flipped.length);
			flipped[at] ^= (byte) (1 << random.nextInt(8));
		}
		return flipped;
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static String hex(byte[] bytes) {
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < Math.min(bytes.length, 64); i++) {
			text.append(String.format("%02x", bytes[i]));
		}
		return (bytes.length > 64) ? text + "..." : text.toString();
	}

}

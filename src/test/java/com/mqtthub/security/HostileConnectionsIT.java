package com.mqtthub.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.Limit;
import com.mqtthub.testing.Bystander;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.RawMqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Strangers at the door of the MQTT listeners, with a well-behaved client connected beside them:
 * a CONNECT that trickles in, sockets that never send one (up to and beyond the maximum, and one
 * through the same-origin endpoint), a page of another site opening the broker's WebSocket
 * listener, and a burst of refused CONNECTs. Each
 * gets its documented outcome; the bystander keeps its round trips (printed) and the log stays
 * short.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = { "mqtthub.broker.max-connections=" + HostileConnectionsIT.MAX_CONNECTIONS,
		"mqtthub.broker.connect-timeout=" + HostileConnectionsIT.CONNECT_TIMEOUT_MILLIS + "ms" })
class HostileConnectionsIT {

	static final int MAX_CONNECTIONS = 4;

	static final int CONNECT_TIMEOUT_MILLIS = 2000;

	private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(CONNECT_TIMEOUT_MILLIS);

	private static final Duration WAIT = Duration.ofSeconds(15);

	/** Lines of one kind of warning a minute (the rate limit of the refusal warnings). */
	private static final int WARNINGS_PER_PERIOD = RateLimitedLog.DEFAULT_LINES;

	@Autowired
	private EmbeddedBroker broker;

	@LocalServerPort
	private int webPort;

	private Bystander bystander;

	@BeforeEach
	void startBystander() throws Exception {
		// Connections of an earlier test may still be closing.
		await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 0);
		this.bystander = Bystander.start(this.broker.getTcpPort(), HubTest.ADMIN, HubTest.ADMIN_PASSWORD,
				"bystander/" + UUID.randomUUID(), Duration.ofMillis(50));
	}

	@AfterEach
	void stopBystander() {
		this.bystander.close();
	}

	private void assertBystanderUnharmed() throws InterruptedException {
		Bystander.Report report = this.bystander.stop(Duration.ofSeconds(5));
		System.out.println("Bystander beside the attack: " + report);
		assertThat(report.unharmed()).as(report.toString()).isTrue();
	}

	private long refusals(Limit limit) {
		return this.broker.getLimits().refusals(limit);
	}

	private int connect(RawMqttClient client) throws IOException {
		return client.connect(new RawMqttClient.Connect("well-behaved-" + UUID.randomUUID().toString().substring(0, 8))
			.credentials(HubTest.ADMIN, HubTest.ADMIN_PASSWORD));
	}

	@Test
	void aConnectTricklingInOneByteASecondIsClosedAtTheDeadline() throws Exception {
		long timedOutBefore = refusals(Limit.CONNECT_TIMEOUT);
		byte[] connect = new RawMqttClient.Connect("trickler").credentials(HubTest.ADMIN, HubTest.ADMIN_PASSWORD)
			.toBytes();
		long start = System.nanoTime();
		int sent = 0;
		boolean closed = false;
		try (RawMqttClient trickler = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			while (!closed && sent < connect.length) {
				try {
					trickler.send(new byte[] { connect[sent] });
					sent++;
					// The pause between two bytes, watching for the close meanwhile.
					closed = trickler.closedByServerWithin(Duration.ofSeconds(1));
				}
				catch (IOException ex) {
					closed = true;
				}
			}
		}
		Duration open = Duration.ofNanos(System.nanoTime() - start);
		System.out.printf("Trickling CONNECT: closed after %d of %d bytes, %d ms after the accept%n", sent,
				connect.length, open.toMillis());
		assertThat(closed).isTrue();
		assertThat(sent).as("bytes sent before the close").isLessThan(connect.length);
		assertThat(open).as("not closed before the deadline").isGreaterThanOrEqualTo(CONNECT_TIMEOUT);
		assertThat(refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(timedOutBefore + 1);
		assertBystanderUnharmed();
	}

	@Test
	void silentSocketsBeyondTheMaximumAreCountedAndClosedAtTheDeadlineThenClientsGetInAgain() throws Exception {
		long beyondBefore = refusals(Limit.CONNECTIONS);
		long timedOutBefore = refusals(Limit.CONNECT_TIMEOUT);
		int free = MAX_CONNECTIONS - 1;
		int beyond = 3;
		List<RawMqttClient> silent = new ArrayList<>();
		try {
			for (int i = 0; i < free + beyond; i++) {
				silent.add(new RawMqttClient("127.0.0.1", this.broker.getTcpPort()));
			}
			// Counted from the accept, before any CONNECT.
			await().atMost(WAIT).until(() -> refusals(Limit.CONNECTIONS) == beyondBefore + beyond);
			assertThat(this.broker.getLimits().connections()).isEqualTo(MAX_CONNECTIONS);
			// Meanwhile a newcomer is told the broker is full, as documented.
			try (RawMqttClient newcomer = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
				assertThat(connect(newcomer)).as("CONNACK while silent sockets hold every slot").isEqualTo(3);
			}
			for (RawMqttClient socket : silent) {
				assertThat(socket.closedByServerWithin(WAIT)).as("silent socket closed at the deadline").isTrue();
			}
		}
		finally {
			for (RawMqttClient socket : silent) {
				socket.close();
			}
		}
		assertThat(refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(timedOutBefore + free + beyond);
		await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 1);
		try (RawMqttClient newcomer = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
			assertThat(connect(newcomer)).as("CONNACK after the deadline").isZero();
		}
		assertBystanderUnharmed();
	}

	/** The status line of the answer to a WebSocket upgrade on the broker's own listener. */
	private String upgrade(String origin) throws IOException {
		int port = this.broker.getWebSocketPort();
		try (Socket socket = new Socket("127.0.0.1", port)) {
			socket.setSoTimeout((int) WAIT.toMillis());
			String request = "GET /mqtt HTTP/1.1\r\n" + "Host: 127.0.0.1:" + port + "\r\n" + "Upgrade: websocket\r\n"
					+ "Connection: Upgrade\r\n" + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
					+ "Sec-WebSocket-Version: 13\r\n" + "Sec-WebSocket-Protocol: mqtt\r\n" + "Origin: " + origin
					+ "\r\n\r\n";
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			int c;
			while ((c = in.read()) >= 0 && c != '\n') {
				line.append((char) c);
			}
			return line.toString().trim();
		}
	}

	@Test
	void aPageOfAnotherSiteIsRefusedByTheBrokersWebSocketListenerAndOneOfThisHostIsNot() throws Exception {
		long refusedBefore = refusals(Limit.WEBSOCKET_ORIGIN);
		assertThat(upgrade("http://evil.example")).startsWith("HTTP/1.1 403");
		assertThat(refusals(Limit.WEBSOCKET_ORIGIN)).isEqualTo(refusedBefore + 1);
		// The console's own page: same host, the web port.
		assertThat(upgrade("http://127.0.0.1:" + this.webPort)).startsWith("HTTP/1.1 101");
		assertThat(refusals(Limit.WEBSOCKET_ORIGIN)).isEqualTo(refusedBefore + 1);
		assertBystanderUnharmed();
	}

	@Test
	void aSilentSessionOnTheSameOriginEndpointHoldsOneSlotUntilTheDeadline() throws Exception {
		long timedOutBefore = refusals(Limit.CONNECT_TIMEOUT);
		CompletableFuture<Integer> closed = new CompletableFuture<>();
		WebSocket socket = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols("mqtt")
			.buildAsync(URI.create("ws://127.0.0.1:" + this.webPort + "/mqtt"), new WebSocket.Listener() {
				@Override
				public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
					closed.complete(statusCode);
					return null;
				}

				@Override
				public void onError(WebSocket webSocket, Throwable error) {
					closed.complete(-1);
				}
			})
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		try {
			// The relay's connection to the broker is one connection, counted like any other.
			await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 2);
			assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("WebSocket closed by the hub").isNotNull();
		}
		finally {
			socket.abort();
		}
		assertThat(refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(timedOutBefore + 1);
		await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == 1);
		assertBystanderUnharmed();
	}

	@Test
	void aBurstOfRefusedConnectsWritesNoMoreWarningsThanTheRateLimit(CapturedOutput output) throws Exception {
		int burst = 3 * WARNINGS_PER_PERIOD;
		List<RawMqttClient> silent = new ArrayList<>();
		List<Integer> codes = new ArrayList<>();
		int logBefore = output.getAll().length();
		try {
			// Every slot taken, so that each CONNECT of the burst is refused (CONNACK 3).
			for (int i = 0; i < MAX_CONNECTIONS - 1; i++) {
				silent.add(new RawMqttClient("127.0.0.1", this.broker.getTcpPort()));
			}
			await().atMost(WAIT).until(() -> this.broker.getLimits().connections() == MAX_CONNECTIONS);
			for (int i = 0; i < burst; i++) {
				try (RawMqttClient refused = new RawMqttClient("127.0.0.1", this.broker.getTcpPort())) {
					codes.add(connect(refused));
				}
			}
		}
		finally {
			for (RawMqttClient socket : silent) {
				socket.close();
			}
		}
		List<String> warnings = output.getAll()
			.substring(logBefore)
			.lines()
			.filter((line) -> line.contains("Refused MQTT connection from"))
			.toList();
		System.out.printf("Burst of %d refused CONNECTs: %d warning lines%n", burst, warnings.size());
		assertThat(codes).hasSize(burst).containsOnly(3);
		assertThat(warnings).hasSizeLessThanOrEqualTo(WARNINGS_PER_PERIOD);
		assertBystanderUnharmed();
	}

}

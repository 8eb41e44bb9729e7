package com.mqtthub.relay;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The same-origin endpoint as a browser meets it: handshake, frames, and both sides closing
 * together. Raw MQTT bytes over the JDK's WebSocket client, so nothing hides what the relay does.
 */
@HubTest
class MqttWebSocketRelayIT {

	private static final Duration WAIT = Duration.ofSeconds(10);

	/** CONNACK, session not present, accepted. */
	private static final byte[] CONNACK_ACCEPTED = { 0x20, 0x02, 0x00, 0x00 };

	private static final byte[] DISCONNECT = { (byte) 0xE0, 0x00 };

	@Autowired
	private MqttWebSocketRelay relay;

	@Autowired
	private EmbeddedBroker broker;

	@LocalServerPort
	private int webPort;

	private URI endpoint() {
		return URI.create("ws://127.0.0.1:" + this.webPort + "/mqtt");
	}

	private Peer open(String origin) {
		Peer peer = new Peer();
		WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("mqtt");
		if (origin != null) {
			builder.header("Origin", origin);
		}
		peer.socket = builder.buildAsync(endpoint(), peer).join();
		return peer;
	}

	@Test
	void negotiatesTheMqttSubprotocolAndRelaysConnect() throws Exception {
		Peer peer = open("http://127.0.0.1:" + this.webPort);
		try {
			assertThat(peer.socket.getSubprotocol()).isEqualTo("mqtt");
			peer.send(connect("relay-" + UUID.randomUUID(), null, null));
			assertThat(peer.read(4)).isEqualTo(CONNACK_ACCEPTED);
		}
		finally {
			peer.socket.abort();
		}
	}

	@Test
	void brokerChecksTheCredentialsOfRelayedConnects() throws Exception {
		Peer peer = open("http://127.0.0.1:" + this.webPort);
		try {
			peer.send(connect("intruder-" + UUID.randomUUID(), null, null, HubTest.ADMIN, "not the password"));
			// CONNACK, refused: bad user name or password.
			assertThat(peer.read(4)).isEqualTo(new byte[] { 0x20, 0x02, 0x00, 0x04 });
		}
		finally {
			peer.socket.abort();
		}
	}

	@Test
	void anonymousRelayedConnectIsRefused() throws Exception {
		Peer peer = open(null);
		try {
			peer.send(connect("anonymous-" + UUID.randomUUID(), null, null, null, null));
			assertThat(peer.read(4)).isEqualTo(new byte[] { 0x20, 0x02, 0x00, 0x04 });
		}
		finally {
			peer.socket.abort();
		}
	}

	@Test
	void browserVanishingClosesTheBrokerConnectionSoItsWillIsSent() throws Exception {
		String willTopic = "relay/will/" + UUID.randomUUID();
		try (MqttTestClient watcher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"watcher-" + UUID.randomUUID())) {
			watcher.subscribe(willTopic, 1);
			Peer peer = open(null);
			peer.send(connect("vanishing-" + UUID.randomUUID(), willTopic, "page closed"));
			assertThat(peer.read(4)).isEqualTo(CONNACK_ACCEPTED);
			await().atMost(WAIT).until(() -> this.relay.activeLinks() >= 1);

			// The broker knows the browser behind the relayed connection (for lock-outs and logs)...
			assertThat(this.broker.getClientAddresses().relayedConnections()).isPositive();

			peer.socket.abort();

			assertThat(watcher.awaitMessage(WAIT).payload()).isEqualTo("page closed");
			await().atMost(WAIT).until(() -> this.relay.activeLinks() == 0);
			// ...and forgets it with the connection.
			await().atMost(WAIT).until(() -> this.broker.getClientAddresses().relayedConnections() == 0);
		}
	}

	/**
	 * A browser that stops reading: what the relay holds for it is bounded (its flow window), so
	 * the broker's side of the relayed connection falls behind and the broker drops the QoS 0
	 * messages for it (counted) instead of anything piling up, while a client beside it gets
	 * everything.
	 */
	@Test
	void aBrowserThatStopsReadingLosesQosZeroMessagesWhileOthersGetEverything() throws Exception {
		String topic = "relay/slow/" + UUID.randomUUID();
		String tcp = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		long droppedBefore = this.broker.getLimits().droppedForSlowClients();
		int messages = 20_000;
		byte[] payload = new byte[1024];
		Peer browser = open(null);
		try (MqttTestClient healthy = MqttTestClient.connect(tcp, "healthy-" + UUID.randomUUID());
				MqttTestClient publisher = MqttTestClient.connect(tcp, "feeder-" + UUID.randomUUID())) {
			browser.send(connect("slow-browser-" + UUID.randomUUID(), null, null));
			assertThat(browser.read(4)).isEqualTo(CONNACK_ACCEPTED);
			// Takes the SUBACK's frame, then nothing more.
			browser.reading = false;
			browser.send(subscribe(1, topic));
			assertThat(browser.read(5)).isEqualTo(new byte[] { (byte) 0x90, 0x03, 0x00, 0x01, 0x00 });
			healthy.subscribe(topic, 1);

			for (int i = 0; i < messages; i++) {
				publisher.publish(topic, payload, 1, false);
			}

			assertThat(healthy.awaitMessages(messages, Duration.ofSeconds(60))).hasSize(messages);
			assertThat(this.broker.getLimits().droppedForSlowClients() - droppedBefore)
				.as("QoS 0 messages dropped for the browser that stopped reading")
				.isPositive();
		}
		finally {
			browser.socket.abort();
		}
	}

	/** SUBSCRIBE with packet id {@code packetId} to {@code filter} at QoS 0. */
	private static byte[] subscribe(int packetId, String filter) {
		byte[] name = filter.getBytes(StandardCharsets.UTF_8);
		ByteBuffer packet = ByteBuffer.allocate(name.length + 7);
		packet.put((byte) 0x82).put((byte) (name.length + 5)).putShort((short) packetId);
		packet.putShort((short) name.length).put(name).put((byte) 0);
		return packet.array();
	}

	@Test
	void brokerClosingTheConnectionClosesTheWebSocket() throws Exception {
		Peer peer = open(null);
		peer.send(connect("leaving-" + UUID.randomUUID(), null, null));
		assertThat(peer.read(4)).isEqualTo(CONNACK_ACCEPTED);

		peer.send(DISCONNECT);

		assertThat(peer.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
		await().atMost(WAIT).until(() -> this.relay.activeLinks() == 0);
	}

	@Test
	void textFramesAreRefusedBecauseMqttTravelsInBinaryFrames() throws Exception {
		Peer peer = open(null);
		peer.socket.sendText("CONNECT", true).join();

		assertThat(peer.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1003);
		await().atMost(WAIT).until(() -> this.relay.activeLinks() == 0);
	}

	@Test
	void otherSitesCannotOpenTheEndpoint() {
		// Cross-site WebSocket hijacking: a page elsewhere must not ride on this site's visitors.
		assertThatThrownBy(() -> open("http://evil.example"))
			.isInstanceOf(CompletionException.class)
			.cause()
			.isInstanceOfSatisfying(WebSocketHandshakeException.class,
					(ex) -> assertThat(ex.getResponse().statusCode()).isEqualTo(403));
	}

	@Test
	void devicesThatSendAnHttpsOriginForWsAreLetIn() throws Exception {
		// paho-mqtt's handshake sends "Origin: https://<host>:<port>" even for ws://.
		Peer peer = open("https://127.0.0.1:" + this.webPort);
		try {
			peer.send(connect("paho-" + UUID.randomUUID(), null, null));
			assertThat(peer.read(4)).isEqualTo(CONNACK_ACCEPTED);
		}
		finally {
			peer.socket.abort();
		}
	}

	@Test
	void anotherPortOrHostOfTheSameMachineIsAnotherSite() {
		for (String origin : List.of("http://127.0.0.1:" + (this.webPort + 1), "https://localhost.evil.example:" + this.webPort)) {
			assertThatThrownBy(() -> open(origin)).as(origin)
				.isInstanceOf(CompletionException.class)
				.cause()
				.isInstanceOfSatisfying(WebSocketHandshakeException.class,
						(ex) -> assertThat(ex.getResponse().statusCode()).isEqualTo(403));
		}
	}

	@Test
	void manySessionsOpenedAndClosedLeaveNoSocketBehind() throws Exception {
		Path fds = Path.of("/proc/self/fd");
		assumeThat(Files.isDirectory(fds)).as("needs /proc to count open sockets").isTrue();
		runSessions(5);
		long before = openSockets(fds);

		runSessions(50);

		await().atMost(WAIT).until(() -> this.relay.activeLinks() == 0);
		// A few sockets come and go with the JDK's HTTP clients; a leak would be one or two per session.
		await().atMost(WAIT).untilAsserted(() -> assertThat(openSockets(fds)).isLessThan(before + 20));
	}

	private void runSessions(int count) throws Exception {
		for (int i = 0; i < count; i++) {
			Peer peer = open(null);
			peer.send(connect("cycle-" + i + "-" + UUID.randomUUID(), null, null));
			assertThat(peer.read(4)).isEqualTo(CONNACK_ACCEPTED);
			if (i % 2 == 0) {
				peer.socket.abort();
			}
			else {
				peer.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
				peer.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
	}

	private static long openSockets(Path fds) throws IOException {
		try (Stream<Path> entries = Files.list(fds)) {
			return entries.filter((fd) -> {
				try {
					return Files.readSymbolicLink(fd).toString().startsWith("socket:");
				}
				catch (IOException ex) {
					return false;
				}
			}).count();
		}
	}

	/**
	 * An MQTT 3.1.1 CONNECT as the test administrator, with a clean session, 60 s keep-alive and
	 * an optional will.
	 */
	static byte[] connect(String clientId, String willTopic, String willPayload) {
		return connect(clientId, willTopic, willPayload, HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
	}

	/** As {@link #connect(String, String, String)}, with these credentials ({@code null}: none). */
	static byte[] connect(String clientId, String willTopic, String willPayload, String username, String password) {
		ByteBuffer body = ByteBuffer.allocate(1024);
		body.put(new byte[] { 0, 4, 'M', 'Q', 'T', 'T', 4 });
		int flags = 0x02 | (willTopic != null ? 0x04 | 0x08 : 0); // clean session, will QoS 1
		flags |= (username != null) ? 0x80 : 0;
		flags |= (password != null) ? 0x40 : 0;
		body.put((byte) flags);
		body.putShort((short) 60);
		putString(body, clientId);
		if (willTopic != null) {
			putString(body, willTopic);
			putString(body, willPayload);
		}
		if (username != null) {
			putString(body, username);
		}
		if (password != null) {
			putString(body, password);
		}
		body.flip();
		int length = body.remaining();
		ByteBuffer packet = ByteBuffer.allocate(length + 5);
		packet.put((byte) 0x10);
		do {
			// Remaining length: 7 bits a byte, high bit set while more follow.
			int digit = length % 128;
			length /= 128;
			packet.put((byte) ((length > 0) ? digit | 0x80 : digit));
		}
		while (length > 0);
		packet.put(body);
		return java.util.Arrays.copyOf(packet.array(), packet.position());
	}

	private static void putString(ByteBuffer buffer, String value) {
		byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
		buffer.putShort((short) bytes.length).put(bytes);
	}

	/** One browser-like WebSocket peer, collecting what it is sent. */
	private static final class Peer implements WebSocket.Listener {

		private WebSocket socket;

		private final BlockingQueue<Byte> bytes = new LinkedBlockingQueue<>();

		private final CompletableFuture<Integer> closed = new CompletableFuture<>();

		/** Whether it asks for the next frame after each one (a browser tab that stopped reading does not). */
		private volatile boolean reading = true;

		void send(byte[] data) {
			this.socket.sendBinary(ByteBuffer.wrap(data), true).join();
		}

		byte[] read(int count) throws InterruptedException {
			byte[] data = new byte[count];
			for (int i = 0; i < count; i++) {
				Byte next = this.bytes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
				if (next == null) {
					throw new AssertionError("Only " + i + " of " + count + " bytes arrived");
				}
				data[i] = next;
			}
			return data;
		}

		@Override
		public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
			while (data.hasRemaining()) {
				this.bytes.add(data.get());
			}
			if (this.reading) {
				webSocket.request(1);
			}
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode);
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.completeExceptionally(error);
		}

	}

}

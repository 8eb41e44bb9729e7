package com.mqtthub.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Speaks MQTT 3.1.1 as raw bytes over TCP, for tests that must control or see every bit that a
 * client library would hide (flags, packet ids, duplicates, malformed packets).
 */
public final class RawMqttClient implements AutoCloseable {

	public static final int CONNECT = 1;

	public static final int CONNACK = 2;

	public static final int PUBLISH = 3;

	public static final int PUBACK = 4;

	public static final int PUBREC = 5;

	public static final int PUBREL = 6;

	public static final int PUBCOMP = 7;

	public static final int SUBSCRIBE = 8;

	public static final int SUBACK = 9;

	public static final int UNSUBSCRIBE = 10;

	public static final int UNSUBACK = 11;

	public static final int PINGREQ = 12;

	public static final int PINGRESP = 13;

	public static final int DISCONNECT = 14;

	private final Socket socket;

	private final DataInputStream in;

	private final OutputStream out;

	public RawMqttClient(String host, int port) throws IOException {
		this(new Socket(host, port));
	}

	/**
	 * From a chosen local address (any of 127.0.0.0/8 works on loopback), to act as many
	 * different clients from one machine.
	 */
	public RawMqttClient(String host, int port, String localAddress) throws IOException {
		this(new Socket(host, port, java.net.InetAddress.getByName(localAddress), 0));
	}

	/**
	 * With a receive buffer of {@code receiveBufferBytes}, so that what the broker sends and the
	 * client does not read soon backs up in the broker.
	 */
	public static RawMqttClient withReceiveBuffer(String host, int port, int receiveBufferBytes) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(receiveBufferBytes);
		socket.connect(new java.net.InetSocketAddress(host, port), 10_000);
		return new RawMqttClient(socket);
	}

	private RawMqttClient(Socket socket) throws IOException {
		this.socket = socket;
		this.socket.setTcpNoDelay(true);
		this.socket.setSoTimeout(10_000);
		this.in = new DataInputStream(this.socket.getInputStream());
		this.out = this.socket.getOutputStream();
	}

	/** One control packet as received. */
	public record Packet(int type, int flags, byte[] body) {

		public boolean dup() {
			return (this.flags & 0x08) != 0;
		}

		public int qos() {
			return (this.flags >> 1) & 0x03;
		}

		public boolean retain() {
			return (this.flags & 0x01) != 0;
		}

		/** The big-endian 16-bit number at {@code offset} of the body. */
		public int u16(int offset) {
			return ((this.body[offset] & 0xFF) << 8) | (this.body[offset + 1] & 0xFF);
		}

		/** PUBLISH: the topic name. */
		public String topic() {
			return new String(this.body, 2, u16(0), StandardCharsets.UTF_8);
		}

		/** PUBLISH: the packet id (QoS 1 and 2 only). */
		public int publishPacketId() {
			return u16(2 + u16(0));
		}

		/** PUBLISH: the payload. */
		public String payload() {
			int start = 2 + u16(0) + (qos() > 0 ? 2 : 0);
			return new String(this.body, start, this.body.length - start, StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return "Packet[type=" + this.type + ", flags=" + this.flags + ", length=" + this.body.length + "]";
		}

	}

	// ---- sending ----

	public RawMqttClient send(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	public RawMqttClient send(int type, int flags, byte[] body) throws IOException {
		return send(packet(type, flags, body));
	}

	/** CONNECT and the CONNACK return code. */
	public int connect(Connect connect) throws IOException {
		send(connect.toBytes());
		Packet connAck = read();
		if (connAck.type() != CONNACK) {
			throw new IllegalStateException("Expected CONNACK, got " + connAck);
		}
		return connAck.body()[1];
	}

	public RawMqttClient subscribe(int packetId, String filter, int qos) throws IOException {
		Body body = new Body().u16(packetId).string(filter).u8(qos);
		return send(SUBSCRIBE, 0x02, body.bytes());
	}

	/** SUBSCRIBE and the return codes of its SUBACK. */
	public byte[] subscribeAndAwait(int packetId, String filter, int qos) throws IOException {
		subscribe(packetId, filter, qos);
		Packet subAck = readSkipping(PUBLISH);
		if (subAck.type() != SUBACK || subAck.u16(0) != packetId) {
			throw new IllegalStateException("Expected SUBACK " + packetId + ", got " + subAck);
		}
		byte[] codes = new byte[subAck.body().length - 2];
		System.arraycopy(subAck.body(), 2, codes, 0, codes.length);
		return codes;
	}

	public RawMqttClient unsubscribe(int packetId, String filter) throws IOException {
		return send(UNSUBSCRIBE, 0x02, new Body().u16(packetId).string(filter).bytes());
	}

	public RawMqttClient publish(String topic, String payload, int qos, boolean retain, int packetId, boolean dup)
			throws IOException {
		Body body = new Body().string(topic);
		if (qos > 0) {
			body.u16(packetId);
		}
		body.raw(payload.getBytes(StandardCharsets.UTF_8));
		int flags = (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0);
		return send(PUBLISH, flags, body.bytes());
	}

	public RawMqttClient ack(int type, int packetId) throws IOException {
		return send(type, (type == PUBREL) ? 0x02 : 0, new Body().u16(packetId).bytes());
	}

	public RawMqttClient pingReq() throws IOException {
		return send(new byte[] { (byte) 0xC0, 0 });
	}

	public RawMqttClient disconnect() throws IOException {
		return send(new byte[] { (byte) 0xE0, 0 });
	}

	// ---- receiving ----

	/** The next packet; fails when none arrives within the socket timeout. */
	public Packet read() throws IOException {
		int first = this.in.read();
		if (first < 0) {
			throw new EOFException("The server closed the connection");
		}
		int length = 0;
		int multiplier = 1;
		int digit;
		do {
			digit = this.in.readUnsignedByte();
			length += (digit & 0x7F) * multiplier;
			multiplier *= 128;
		}
		while ((digit & 0x80) != 0);
		byte[] body = new byte[length];
		this.in.readFully(body);
		return new Packet(first >> 4, first & 0x0F, body);
	}

	/** The next packet that is not of the given type (e.g. skip retained PUBLISHes before a SUBACK). */
	public Packet readSkipping(int type) throws IOException {
		Packet packet = read();
		while (packet.type() == type) {
			packet = read();
		}
		return packet;
	}

	/** Whether the next packet arrives within {@code wait}; the packet is consumed. */
	public Packet poll(Duration wait) throws IOException {
		int previous = this.socket.getSoTimeout();
		this.socket.setSoTimeout((int) wait.toMillis());
		try {
			return read();
		}
		catch (SocketTimeoutException ex) {
			return null;
		}
		finally {
			this.socket.setSoTimeout(previous);
		}
	}

	/** True when the server closes the connection within {@code wait}, skipping anything it sends first. */
	public boolean closedByServerWithin(Duration wait) throws IOException {
		this.socket.setSoTimeout((int) wait.toMillis());
		try {
			while (this.in.read() >= 0) {
				// drain until end of stream
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			// connection reset: closed as well
			return true;
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	// ---- encoding ----

	public static byte[] packet(int type, int flags, byte[] body) {
		ByteArrayOutputStream packet = new ByteArrayOutputStream();
		packet.write((type << 4) | flags);
		int length = body.length;
		do {
			int digit = length % 128;
			length /= 128;
			packet.write(length > 0 ? digit | 0x80 : digit);
		}
		while (length > 0);
		packet.writeBytes(body);
		return packet.toByteArray();
	}

	/** Builds a packet body field by field. */
	public static final class Body {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		public Body u8(int value) {
			this.bytes.write(value);
			return this;
		}

		public Body u16(int value) {
			this.bytes.write(value >> 8);
			this.bytes.write(value & 0xFF);
			return this;
		}

		public Body string(String value) {
			return binary(value.getBytes(StandardCharsets.UTF_8));
		}

		public Body binary(byte[] value) {
			u16(value.length);
			this.bytes.writeBytes(value);
			return this;
		}

		public Body raw(byte[] value) {
			this.bytes.writeBytes(value);
			return this;
		}

		public byte[] bytes() {
			return this.bytes.toByteArray();
		}

	}

	/** A CONNECT packet's fields; it logs in as the test administrator unless told otherwise. */
	public static final class Connect {

		private final String clientId;

		private boolean cleanSession = true;

		private int keepAlive = 60;

		private String username = HubTest.ADMIN;

		private String password = HubTest.ADMIN_PASSWORD;

		private String willTopic;

		private String willPayload;

		private int willQos;

		private boolean willRetain;

		private int protocolLevel = 4;

		public Connect(String clientId) {
			this.clientId = clientId;
		}

		public Connect cleanSession(boolean cleanSession) {
			this.cleanSession = cleanSession;
			return this;
		}

		public Connect keepAlive(int seconds) {
			this.keepAlive = seconds;
			return this;
		}

		/** Without user name and password (by default a CONNECT carries the test administrator's). */
		public Connect anonymous() {
			return credentials(null, null);
		}

		public Connect credentials(String username, String password) {
			this.username = username;
			this.password = password;
			return this;
		}

		public Connect will(String topic, String payload, int qos, boolean retain) {
			this.willTopic = topic;
			this.willPayload = payload;
			this.willQos = qos;
			this.willRetain = retain;
			return this;
		}

		public Connect protocolLevel(int level) {
			this.protocolLevel = level;
			return this;
		}

		public byte[] toBytes() {
			int flags = (this.cleanSession ? 0x02 : 0);
			if (this.willTopic != null) {
				flags |= 0x04 | (this.willQos << 3) | (this.willRetain ? 0x20 : 0);
			}
			if (this.username != null) {
				flags |= 0x80;
			}
			if (this.password != null) {
				flags |= 0x40;
			}
			Body body = new Body().string("MQTT").u8(this.protocolLevel).u8(flags).u16(this.keepAlive)
				.string(this.clientId);
			if (this.willTopic != null) {
				body.string(this.willTopic).string(this.willPayload);
			}
			if (this.username != null) {
				body.string(this.username);
			}
			if (this.password != null) {
				body.string(this.password);
			}
			return packet(CONNECT, 0, body.bytes());
		}

	}

}

package com.mqtthub.broker;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.mqtthub.testing.HubTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Devices with default settings (mosquitto_pub, mosquitto_sub) send an empty client id; MQTT
 * 3.1.1 lets the server assign one for a clean session (MQTT-3.1.3-6) and requires a refusal
 * with return code 2 otherwise (MQTT-3.1.3-8). Raw bytes, since client libraries fill in an id.
 */
@HubTest
class ZeroLengthClientIdIT {

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void emptyClientIdWithCleanSessionIsAccepted() throws Exception {
		assertThat(connAckReturnCode(true)).isEqualTo(0);
	}

	@Test
	void emptyClientIdWithoutCleanSessionIsRejectedAsIdentifierRejected() throws Exception {
		assertThat(connAckReturnCode(false)).isEqualTo(2);
	}

	private int connAckReturnCode(boolean cleanSession) throws Exception {
		// User name and password flags, with the test administrator's credentials.
		byte flags = (byte) (0xC0 | (cleanSession ? 0x02 : 0x00));
		byte[] user = HubTest.ADMIN.getBytes(StandardCharsets.UTF_8);
		byte[] password = HubTest.ADMIN_PASSWORD.getBytes(StandardCharsets.UTF_8);
		ByteBuffer body = ByteBuffer.allocate(12 + 4 + user.length + password.length);
		body.put(new byte[] { 0, 4, 'M', 'Q', 'T', 'T', 4, flags, 0, 60, 0, 0 });
		body.putShort((short) user.length).put(user).putShort((short) password.length).put(password);
		byte[] connect = ByteBuffer.allocate(2 + body.capacity())
			.put((byte) 0x10)
			.put((byte) body.capacity())
			.put(body.array())
			.array();
		try (Socket socket = new Socket("127.0.0.1", this.broker.getTcpPort())) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(connect);
			out.flush();
			DataInputStream in = new DataInputStream(socket.getInputStream());
			byte[] connAck = new byte[4];
			in.readFully(connAck);
			assertThat(connAck[0]).as("CONNACK packet type").isEqualTo((byte) 0x20);
			assertThat(connAck[1]).as("remaining length").isEqualTo((byte) 2);
			return connAck[3];
		}
	}

}

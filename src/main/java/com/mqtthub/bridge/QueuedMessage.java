package com.mqtthub.bridge;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A message waiting in a bridge queue, with its remote topic already worked out. */
record QueuedMessage(long sequence, String topic, byte[] payload, int qos, boolean retain, long enqueuedAtMillis) {

	private static final int FORMAT = 1;

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(this.payload.length + this.topic.length() + 16);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT);
			out.writeLong(this.enqueuedAtMillis);
			out.writeByte(this.qos);
			out.writeBoolean(this.retain);
			out.writeUTF(this.topic);
			out.write(this.payload);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static QueuedMessage decode(long sequence, byte[] stored) {
		try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(stored))) {
			int format = in.readUnsignedByte();
			if (format != FORMAT) {
				throw new IllegalStateException("Unknown bridge queue entry format " + format);
			}
			long at = in.readLong();
			int qos = in.readUnsignedByte();
			boolean retain = in.readBoolean();
			String topic = in.readUTF();
			byte[] payload = in.readAllBytes();
			return new QueuedMessage(sequence, topic, payload, qos, retain, at);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}

package com.mqtthub.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The first bytes of every message: which publisher sent it, its sequence number and when
 * ({@link System#nanoTime()}, so publisher and subscriber must run in this one process); the
 * rest is zeros up to the payload size.
 */
final class Payloads {

	static final int HEADER_BYTES = 4 + 8 + 8;

	private Payloads() {
	}

	static ByteBuf encode(ByteBufAllocator alloc, int size, int publisher, long sequence, long sentNanos) {
		ByteBuf buf = alloc.buffer(size, size);
		buf.writeInt(publisher).writeLong(sequence).writeLong(sentNanos);
		buf.writeZero(size - HEADER_BYTES);
		return buf;
	}

	/** Reads the header without moving the reader index; false when the payload is not one of ours. */
	static boolean decode(ByteBuf payload, Header into) {
		if (payload.readableBytes() < HEADER_BYTES) {
			return false;
		}
		int at = payload.readerIndex();
		into.publisher = payload.getInt(at);
		into.sequence = payload.getLong(at + 4);
		into.sentNanos = payload.getLong(at + 12);
		return true;
	}

	/** A reusable holder, one per receiving connection (each is used on one thread only). */
	static final class Header {

		int publisher;

		long sequence;

		long sentNanos;

	}

}

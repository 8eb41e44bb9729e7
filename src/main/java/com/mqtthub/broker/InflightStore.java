package com.mqtthub.broker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The QoS 1 and 2 messages sent to sessions that outlive their connection (clean session 0) and
 * not yet acknowledged by their client, kept in the broker's store until PUBACK or PUBCOMP, so
 * that they are sent again with their packet ids when the client comes back: after a dropped
 * connection, a stop or a crash (MQTT-4.4.0-1).
 * <p>
 * The store holds each record under "client id, NUL, packet id"; an index in memory (rebuilt
 * from the keys at start-up) gives each session's records in the order they were sent.
 */
final class InflightStore {

	/** Sent, waiting for PUBACK (QoS 1) or PUBREC (QoS 2). */
	static final byte PUBLISHED = 0;

	/** PUBREC received and PUBREL sent, waiting for PUBCOMP. */
	static final byte RELEASED = 1;

	private final Map<String, byte[]> records;

	/** Per client id: order sent to packet id. */
	private final Map<String, NavigableMap<Long, Integer>> index = new ConcurrentHashMap<>();

	/** The last packet id sent to each client id in this process. */
	private final Map<String, Integer> lastSent = new ConcurrentHashMap<>();

	private final AtomicLong order = new AtomicLong();

	/** Tells the records of this process from those left by an earlier one, which the engine does not know. */
	private final long epoch = ThreadLocalRandom.current().nextLong();

	InflightStore(Map<String, byte[]> records) {
		this.records = records;
		long highest = 0;
		for (Map.Entry<String, byte[]> entry : records.entrySet()) {
			String key = entry.getKey();
			int nul = key.lastIndexOf('\u0000');
			Record record = Record.decode(entry.getValue(), false);
			highest = Math.max(highest, record.order());
			this.index.computeIfAbsent(key.substring(0, nul), (id) -> new ConcurrentSkipListMap<>())
				.put(record.order(), Integer.parseInt(key.substring(nul + 1)));
		}
		this.order.set(highest);
	}

	/** A message sent (or sent again) to {@code clientId} with {@code packetId}. */
	void sent(String clientId, int packetId, int qos, boolean retain, String topic, byte[] payload) {
		this.lastSent.put(clientId, packetId);
		String key = key(clientId, packetId);
		byte[] earlier = this.records.get(key);
		long position = (earlier != null) ? Record.decode(earlier, false).order() : this.order.incrementAndGet();
		this.records.put(key, new Record(PUBLISHED, qos, retain, this.epoch, position, topic, payload).encode());
		this.index.computeIfAbsent(clientId, (id) -> new ConcurrentSkipListMap<>()).put(position, packetId);
	}

	/**
	 * The client answered a QoS 2 message with PUBREC: from now on PUBREL is what is resent.
	 * @return the record as it was, or null when there is none
	 */
	Record received(String clientId, int packetId) {
		String key = key(clientId, packetId);
		byte[] stored = this.records.get(key);
		if (stored == null) {
			return null;
		}
		Record record = Record.decode(stored, false);
		this.records.put(key, new Record(RELEASED, record.qos(), false, record.epoch(), record.order(), "", new byte[0])
			.encode());
		return record;
	}

	/**
	 * The client acknowledged {@code packetId} for good (PUBACK, PUBCOMP).
	 * @return the record as it was, or null when there is none
	 */
	Record completed(String clientId, int packetId) {
		byte[] stored = this.records.remove(key(clientId, packetId));
		if (stored == null) {
			return null;
		}
		Record record = Record.decode(stored, false);
		NavigableMap<Long, Integer> sent = this.index.get(clientId);
		if (sent != null) {
			sent.remove(record.order());
		}
		return record;
	}

	/** What to send again to {@code clientId}, in the order first sent. */
	List<Pending> pending(String clientId) {
		NavigableMap<Long, Integer> sent = this.index.get(clientId);
		if (sent == null) {
			return List.of();
		}
		List<Pending> pending = new ArrayList<>(sent.size());
		for (Integer packetId : sent.values()) {
			byte[] stored = this.records.get(key(clientId, packetId));
			if (stored != null) {
				pending.add(new Pending(packetId, Record.decode(stored, true)));
			}
		}
		return pending;
	}

	/**
	 * The packet id after which the engine should number new messages to {@code clientId}, so
	 * that they do not take the id of a message still in flight; 0 when there is none.
	 */
	int lastPacketId(String clientId) {
		Integer last = this.lastSent.get(clientId);
		if (last != null) {
			return last;
		}
		NavigableMap<Long, Integer> sent = this.index.get(clientId);
		return (sent == null || sent.isEmpty()) ? 0 : sent.lastEntry().getValue();
	}

	/** The session ended for good (clean session, deleted): nothing of it is resent. */
	void forget(String clientId) {
		this.lastSent.remove(clientId);
		NavigableMap<Long, Integer> sent = this.index.remove(clientId);
		if (sent != null) {
			for (Integer packetId : sent.values()) {
				this.records.remove(key(clientId, packetId));
			}
		}
	}

	/** Whether {@code record} was sent by this process (so the engine knows of it). */
	boolean isOwnRecord(Record record) {
		return record.epoch() == this.epoch;
	}

	private static String key(String clientId, int packetId) {
		return clientId + '\u0000' + packetId;
	}

	record Pending(int packetId, Record record) {
	}

	record Record(byte state, int qos, boolean retain, long epoch, long order, String topic, byte[] payload) {

		byte[] encode() {
			byte[] name = this.topic.getBytes(StandardCharsets.UTF_8);
			return ByteBuffer.allocate(1 + 1 + 1 + 8 + 8 + 4 + name.length + this.payload.length)
				.put(this.state)
				.put((byte) this.qos)
				.put((byte) (this.retain ? 1 : 0))
				.putLong(this.epoch)
				.putLong(this.order)
				.putInt(name.length)
				.put(name)
				.put(this.payload)
				.array();
		}

		static Record decode(byte[] bytes, boolean withMessage) {
			ByteBuffer in = ByteBuffer.wrap(bytes);
			byte state = in.get();
			int qos = in.get();
			boolean retain = in.get() != 0;
			long epoch = in.getLong();
			long order = in.getLong();
			if (!withMessage) {
				return new Record(state, qos, retain, epoch, order, "", new byte[0]);
			}
			byte[] name = new byte[in.getInt()];
			in.get(name);
			byte[] payload = new byte[in.remaining()];
			in.get(payload);
			return new Record(state, qos, retain, epoch, order, new String(name, StandardCharsets.UTF_8), payload);
		}

	}

}

package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubAckMessage;
import io.netty.handler.codec.mqtt.MqttQoS;

/**
 * The answers the engine owes one client for packets handed to it: PUBACK for a QoS 1 PUBLISH
 * (MQTT-4.3.2-2), PUBREC for a QoS 2 PUBLISH and PUBCOMP for a PUBREL (MQTT-4.3.3-2), and PUBREL
 * for the PUBREC with which the client received a QoS 2 message (MQTT-4.3.3-1). The engine
 * writes such an answer only if the connection is writable at that moment and drops it
 * otherwise, which happens to a client that reads far behind: it would wait for a PUBACK,
 * PUBREC or PUBCOMP until it reconnected, and for a PUBREL until the engine's resend, 5 to 10 s
 * later, while the message holds a place in its in-flight window. Once the connection has room
 * again and the engine has run every command it had for the client, an answer still owed for a
 * packet handed over before was dropped, and is written here ({@link #dropped}).
 * <p>
 * The engine also leaves a packet unanswered on purpose when it could not take or route it (a
 * full command queue): the client must send it again, and an answer would lose it. It says so
 * ({@link #withheld}), and nothing handed over before that is answered here. A PUBREC for a
 * message the engine no longer holds may get a PUBREL here where the engine sends none; the
 * client answers it with PUBCOMP as it must (MQTT-3.6.4-1), and that is all.
 * <p>
 * Used on the connection's network thread only. The engine answers a client's packets in the
 * order they came (one session loop runs them), so answers are kept in that order: the common
 * case, an answer for the oldest packet, costs no search and allocates nothing.
 */
final class EngineAnswers {

	/**
	 * Most answers kept. A client has a few dozen packets unanswered at most in practice; up to
	 * 65,535 would be legal, and one that publishes without reading could pile them up. Beyond
	 * it nothing more is kept (and nothing written here) until every answer owed so far has gone
	 * out or been given up.
	 */
	static final int MAX_OWED = 4_096;

	private static final int ANSWERED = -1;

	/** Room kept once nothing is owed: beyond it, the ring of a burst is given back. */
	private static final int KEPT_ROOM = 64;

	/** Room at first: a device usually has one or two packets in flight. */
	private static final int FIRST_ROOM = 4;

	/** Owed answers, oldest first: type ordinal << 16 | packet id, or {@link #ANSWERED}. */
	private int[] ring = new int[FIRST_ROOM];

	private int head;

	private int size;

	/** Number of the oldest entry; each packet handed over gets the next number. */
	private long headNumber;

	/** Packets numbered below this one are never answered here. */
	private long withheldBelow;

	/** {@link #MAX_OWED} were owed: no more are noted until all of them are settled. */
	private boolean overflowed;

	/** A look for dropped answers is on its way through the engine. */
	private boolean looking;

	/** Another look was asked for meanwhile. */
	private boolean lookAgain;

	/** The answer the engine owes for {@code packet} of the client, or null when it owes none. */
	static MqttMessageType owedFor(MqttMessage packet) {
		MqttFixedHeader header = packet.fixedHeader();
		return switch (header.messageType()) {
			case PUBLISH -> switch (header.qosLevel()) {
				case AT_LEAST_ONCE -> MqttMessageType.PUBACK;
				case EXACTLY_ONCE -> MqttMessageType.PUBREC;
				default -> null;
			};
			case PUBREL -> MqttMessageType.PUBCOMP;
			case PUBREC -> MqttMessageType.PUBREL;
			default -> null;
		};
	}

	/** The client's {@code packet}, which is owed {@code answer}, goes to the engine now. */
	void handedOver(MqttMessage packet, MqttMessageType answer) {
		if (this.overflowed) {
			return;
		}
		if (this.size == MAX_OWED) {
			this.overflowed = true;
			withheld();
			return;
		}
		if (this.size == this.ring.length) {
			int[] larger = new int[this.ring.length * 2];
			for (int i = 0; i < this.size; i++) {
				larger[i] = this.ring[(this.head + i) % this.ring.length];
			}
			this.ring = larger;
			this.head = 0;
		}
		this.ring[(this.head + this.size) % this.ring.length] = entry(answer, packetId(packet));
		this.size++;
	}

	/** An answer on its way to the client: what it answers is no longer owed. */
	void written(MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (this.size == 0 || (type != MqttMessageType.PUBACK && type != MqttMessageType.PUBREC
				&& type != MqttMessageType.PUBCOMP && type != MqttMessageType.PUBREL)) {
			return;
		}
		int wanted = entry(type, packetId(message));
		for (int i = 0; i < this.size; i++) {
			int index = (this.head + i) % this.ring.length;
			if (this.ring[index] == wanted) {
				this.ring[index] = ANSWERED;
				break;
			}
		}
		dropAnsweredHead();
	}

	/**
	 * The engine left a packet of this client unanswered on purpose: none handed over so far is
	 * answered here.
	 */
	void withheld() {
		this.withheldBelow = Math.max(this.withheldBelow, this.headNumber + this.size);
	}

	/**
	 * Whether a look for dropped answers may start now; if one is under way, another follows it.
	 */
	boolean startLooking() {
		if (this.looking) {
			this.lookAgain = true;
			return false;
		}
		this.looking = true;
		return true;
	}

	/** The look is over: whether another was asked for meanwhile. */
	boolean doneLooking() {
		boolean again = this.lookAgain;
		this.looking = false;
		this.lookAgain = false;
		return again;
	}

	/** Whether any answer is owed. */
	boolean owing() {
		return this.size > 0;
	}

	/** Marks now: {@link #dropped} then looks at the packets handed over before. */
	long mark() {
		return this.headNumber + this.size;
	}

	/**
	 * The answers owed for packets handed over before {@code mark}, once the engine has run every
	 * command it had for the client when the mark was taken (so it answered whatever it meant
	 * to): the engine dropped them. They are no longer owed; those withheld are given up.
	 */
	List<MqttMessage> dropped(long mark) {
		List<MqttMessage> answers = new ArrayList<>(0);
		while (this.size > 0 && this.headNumber < mark) {
			int entry = this.ring[this.head];
			if (entry != ANSWERED && this.headNumber >= this.withheldBelow) {
				answers.add(answer(MqttMessageType.values()[entry >>> 16], entry & 0xFFFF));
			}
			pop();
		}
		dropAnsweredHead();
		return answers;
	}

	private void dropAnsweredHead() {
		while (this.size > 0 && this.ring[this.head] == ANSWERED) {
			pop();
		}
		if (this.size == 0) {
			this.overflowed = false;
			if (this.ring.length > KEPT_ROOM) {
				// A burst is over: its room is not kept (a client's usual window is).
				this.ring = new int[FIRST_ROOM];
				this.head = 0;
			}
		}
	}

	private void pop() {
		this.head = (this.head + 1) % this.ring.length;
		this.size--;
		this.headNumber++;
	}

	/** The answer as the engine writes it. */
	static MqttMessage answer(MqttMessageType type, int packetId) {
		// PUBREL is the one with QoS 1 in its fixed header (MQTT-3.6.1-1).
		MqttQoS qos = (type == MqttMessageType.PUBREL) ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
		MqttFixedHeader header = new MqttFixedHeader(type, false, qos, false, 0);
		MqttMessageIdVariableHeader id = MqttMessageIdVariableHeader.from(packetId);
		return (type == MqttMessageType.PUBACK || type == MqttMessageType.PUBREC) ? new MqttPubAckMessage(header, id)
				: new MqttMessage(header, id);
	}

	private static int entry(MqttMessageType type, int packetId) {
		return type.ordinal() << 16 | (packetId & 0xFFFF);
	}

	private static int packetId(MqttMessage message) {
		Object header = message.variableHeader();
		if (header instanceof MqttMessageIdVariableHeader id) {
			return id.messageId();
		}
		return ((io.netty.handler.codec.mqtt.MqttPublishVariableHeader) header).packetId();
	}

}

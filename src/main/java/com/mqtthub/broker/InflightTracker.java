package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.moquette.broker.MoquetteCore;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.util.ReferenceCountUtil;

/**
 * In-flight messages of a session that outlives its connection (clean session 0): records every
 * QoS 1 and 2 PUBLISH sent to the client in the {@link InflightStore} until the client
 * acknowledges it, and, when the client connects again and its session is resumed, sends them
 * again first, in order, with DUP 1 and their packet ids (MQTT-4.4.0-1, MQTT-3.3.1-1), before
 * anything the engine sends. PUBREL is sent again for QoS 2 messages the client has received.
 * Then the messages the engine took as in flight but never wrote (it drops writes while a
 * connection is not writable), which are recorded from then on.
 * <p>
 * After a restart the engine no longer knows those messages: their acknowledgements are
 * answered here and not passed on. For a clean session it does nothing but drop what an earlier
 * session of that client id left (MQTT-3.1.2-6), then leaves the pipeline.
 */
final class InflightTracker extends ChannelDuplexHandler {

	/** What the tracker needs of the engine's side of a session. */
	interface EngineSession {

		/** Numbers the engine's messages on a connection after a given packet id. */
		void continueAfter(Channel channel, int packetId);

		/** The QoS 1 and 2 messages the engine holds as in flight for the connection's session. */
		List<MoquetteCore.HeldMessage> heldInFlight(Channel channel);

		static EngineSession of(MoquetteCore core) {
			return new EngineSession() {

				@Override
				public void continueAfter(Channel channel, int packetId) {
					core.continuePacketIdsAfter(channel, packetId);
				}

				@Override
				public List<MoquetteCore.HeldMessage> heldInFlight(Channel channel) {
					return core.heldInFlight(channel);
				}

			};
		}

	}

	private enum Session {
		/** No CONNECT accepted yet. */
		CONNECTING,
		/** Clean session: nothing to keep. */
		CLEAN,
		/** Clean session 0: in-flight messages are recorded. */
		PERSISTENT
	}

	private final InflightStore store;

	private final EngineSession engine;

	/** Asks for a store commit soon, so that records reach the disk without waiting for autosave. */
	private final Runnable commitSoon;

	/**
	 * Told the event loop where this connection records: commits wait for what is queued there,
	 * so that a message sent to the client is recorded by the commit that acknowledges it to its
	 * publisher.
	 */
	private final java.util.function.Consumer<io.netty.util.concurrent.EventExecutor> recordingOn;

	private Session session = Session.CONNECTING;

	private String clientId;

	private boolean cleanSessionAsked;

	InflightTracker(InflightStore store, EngineSession engine, Runnable commitSoon,
			java.util.function.Consumer<io.netty.util.concurrent.EventExecutor> recordingOn) {
		this.store = store;
		this.engine = engine;
		this.commitSoon = commitSoon;
		this.recordingOn = recordingOn;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof MqttConnectMessage connect && this.session == Session.CONNECTING) {
			this.clientId = connect.payload().clientIdentifier();
			this.cleanSessionAsked = connect.variableHeader().isCleanSession();
		}
		else if (this.session == Session.PERSISTENT && msg instanceof MqttMessage message
				&& message.fixedHeader() != null && acknowledgedHere(ctx, message)) {
			ReferenceCountUtil.release(msg);
			return;
		}
		ctx.fireChannelRead(msg);
	}

	/**
	 * Updates the record of an acknowledged message.
	 * @return true when the acknowledgement is answered here (the engine does not know the message)
	 */
	private boolean acknowledgedHere(ChannelHandlerContext ctx, MqttMessage message) {
		MqttMessageType type = message.fixedHeader().messageType();
		if (type != MqttMessageType.PUBACK && type != MqttMessageType.PUBREC && type != MqttMessageType.PUBCOMP) {
			return false;
		}
		if (!(message.variableHeader() instanceof MqttMessageIdVariableHeader id)) {
			return false;
		}
		int packetId = id.messageId();
		InflightStore.Record record = (type == MqttMessageType.PUBREC) ? this.store.received(this.clientId, packetId)
				: this.store.completed(this.clientId, packetId);
		if (record == null) {
			return false;
		}
		this.commitSoon.run();
		if (this.store.isOwnRecord(record)) {
			return false;
		}
		if (type == MqttMessageType.PUBREC) {
			ctx.writeAndFlush(pubRel(packetId));
		}
		return true;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttConnAckMessage connAck && this.session == Session.CONNECTING
				&& connAck.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
			accepted(ctx, connAck, promise);
			return;
		}
		if (this.session == Session.PERSISTENT && msg instanceof MqttPublishMessage publish
				&& publish.fixedHeader().qosLevel().value() > 0) {
			this.store.sent(this.clientId, publish.variableHeader().packetId(), publish.fixedHeader().qosLevel().value(),
					publish.fixedHeader().isRetain(), publish.variableHeader().topicName(),
					ByteBufUtil.getBytes(publish.content()));
			this.commitSoon.run();
		}
		ctx.write(msg, promise);
	}

	private void accepted(ChannelHandlerContext ctx, MqttConnAckMessage connAck, ChannelPromise promise) {
		if (this.cleanSessionAsked || this.clientId == null || this.clientId.isEmpty()) {
			this.session = Session.CLEAN;
			if (this.clientId != null && !this.clientId.isEmpty()) {
				this.store.forget(this.clientId);
			}
			ctx.write(connAck, promise);
			// A clean session has nothing in flight to record: the connection need not keep this handler.
			if (!ctx.isRemoved()) {
				ctx.pipeline().remove(this);
			}
			return;
		}
		this.session = Session.PERSISTENT;
		this.recordingOn.accept(ctx.executor());
		List<InflightStore.Pending> pending = this.store.pending(this.clientId);
		List<MoquetteCore.HeldMessage> unsent = unsent(ctx.channel(), pending);
		int last = unsent.isEmpty() ? this.store.lastPacketId(this.clientId) : unsent.get(unsent.size() - 1).packetId();
		// Before the CONNACK is written: the engine sends its queue once it is, with new ids.
		this.engine.continueAfter(ctx.channel(), last);
		ctx.write(connAck, promise);
		for (InflightStore.Pending resent : pending) {
			InflightStore.Record record = resent.record();
			if (record.state() == InflightStore.RELEASED) {
				ctx.write(pubRel(resent.packetId()));
			}
			else {
				ctx.write(publish(true, record.qos(), record.retain(), record.topic(), resent.packetId(),
						record.payload()));
			}
		}
		for (MoquetteCore.HeldMessage message : unsent) {
			this.store.sent(this.clientId, message.packetId(), message.qos(), message.retain(), message.topic(),
					message.payload());
			ctx.write(publish(false, message.qos(), message.retain(), message.topic(), message.packetId(),
					message.payload()));
		}
		if (!unsent.isEmpty()) {
			this.commitSoon.run();
		}
	}

	/**
	 * Messages the engine took as in flight for this session but whose write it dropped (the
	 * connection was not writable, or already closing): they never reached this handler, so they
	 * are not recorded. Left to the engine, the next message would take the packet id of the
	 * first of them and the engine would drop it for good. Sorted in the order the engine
	 * numbered them, after the last id recorded.
	 */
	private List<MoquetteCore.HeldMessage> unsent(Channel channel, List<InflightStore.Pending> pending) {
		List<MoquetteCore.HeldMessage> held = this.engine.heldInFlight(channel);
		if (held.isEmpty()) {
			return held;
		}
		Set<Integer> recorded = new HashSet<>();
		for (InflightStore.Pending resent : pending) {
			recorded.add(resent.packetId());
		}
		int last = this.store.lastPacketId(this.clientId);
		List<MoquetteCore.HeldMessage> unsent = new ArrayList<>();
		for (MoquetteCore.HeldMessage message : held) {
			if (!recorded.contains(message.packetId())) {
				unsent.add(message);
			}
		}
		unsent.sort(Comparator.comparingInt((message) -> Math.floorMod(message.packetId() - last - 1, 65535)));
		return unsent;
	}

	private static MqttPublishMessage publish(boolean dup, int qos, boolean retain, String topic, int packetId,
			byte[] payload) {
		return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0),
				new MqttPublishVariableHeader(topic, packetId), Unpooled.wrappedBuffer(payload));
	}

	private static MqttMessage pubRel(int packetId) {
		return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
				MqttMessageIdVariableHeader.from(packetId));
	}

}

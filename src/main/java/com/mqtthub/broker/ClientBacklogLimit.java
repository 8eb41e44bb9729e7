package com.mqtthub.broker;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that does not read is cut off once the hub holds more than the backlog limit for it:
 * bytes written but not yet taken by its socket, plus, while QoS 1 or 2 messages sent to it wait
 * for their acknowledgement, the bytes waiting in its session's queue. Its persistent session
 * keeps its queue (capped by {@code max-queued-bytes}) for when it comes back; a clean session
 * ends. Counted and logged once per connection.
 * <p>
 * The engine writes QoS 1 and 2 messages only while the channel is writable and otherwise
 * queues them, so for a client that stops reading the backlog grows in its queue. A timer looks
 * at it while acknowledgements are outstanding, and cuts the client off only when it also made
 * no progress for a while (no acknowledgement, no byte taken by its socket): a client that
 * drains a long queue after a reconnect, or reads slowly, is never cut off for the queue's
 * length. Bytes the engine writes without looking (answers to PINGREQ, SUBSCRIBE...) are checked
 * on every write, against the limit alone. Sits just above the encoder: it sees every packet
 * read and everything about to be written.
 */
final class ClientBacklogLimit extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(ClientBacklogLimit.class);

	private final long maxBacklogBytes;

	private final long checkEveryMillis;

	/** Checks in a row without progress after which a client over the limit is cut off. */
	private final int stalledChecks;

	/** Bytes waiting in the session queue of a connection's client. */
	private final ToLongFunction<Channel> queuedBytes;

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	/**
	 * Packet ids (16 bits) of QoS 1 and 2 messages sent and not yet acknowledged (PUBACK, PUBCOMP);
	 * null until the first such message, as most connections only publish or stay idle.
	 */
	private Set<Integer> unacknowledged;

	/**
	 * Packet ids of the last {@value #RECENT} QoS 1 and 2 messages written, acknowledged or not,
	 * for {@link #wasWritten}; made with {@link #unacknowledged}.
	 */
	private int[] recent;

	private int nextRecent;

	private static final int RECENT = 32;

	private ScheduledFuture<?> check;

	/** Acknowledgements received since the last check. */
	private boolean acknowledged;

	/** Bytes added to the unwritten ones since the last check, and how many there were then. */
	private long added;

	private long unwrittenAtCheck;

	/** Checks in a row that saw no progress. */
	private int stalled;

	private boolean cut;

	/**
	 * @param queuedBytes bytes waiting in the session queue of a connection's client
	 * @param checkEveryMillis how often the backlog is looked at while acknowledgements are outstanding
	 * @param stalledChecks checks in a row without progress that cut a client over the limit off
	 */
	ClientBacklogLimit(BrokerLimits limits, ClientAddresses addresses, ToLongFunction<Channel> queuedBytes,
			long checkEveryMillis, int stalledChecks) {
		this.limits = limits;
		this.addresses = addresses;
		this.maxBacklogBytes = limits.maxClientBacklogBytes();
		this.queuedBytes = queuedBytes;
		this.checkEveryMillis = checkEveryMillis;
		this.stalledChecks = stalledChecks;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof MqttMessage message && message.fixedHeader() != null
				&& message.variableHeader() instanceof MqttMessageIdVariableHeader id) {
			MqttMessageType type = message.fixedHeader().messageType();
			if (type == MqttMessageType.PUBACK || type == MqttMessageType.PUBCOMP) {
				if (this.unacknowledged != null) {
					this.unacknowledged.remove(id.messageId());
				}
				this.acknowledged = true;
			}
			else if (type == MqttMessageType.PUBREC) {
				// Halfway through QoS 2: the client reads, the message waits for PUBCOMP.
				this.acknowledged = true;
			}
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MqttPublishMessage publish && publish.fixedHeader().qosLevel().value() > 0) {
			if (this.unacknowledged == null) {
				this.unacknowledged = new HashSet<>();
				this.recent = new int[RECENT];
			}
			int packetId = publish.variableHeader().packetId();
			this.unacknowledged.add(packetId);
			this.recent[this.nextRecent] = packetId;
			this.nextRecent = (this.nextRecent + 1) % RECENT;
			watch(ctx);
		}
		long before = unwritten(ctx.channel());
		ctx.write(msg, promise);
		long unwritten = unwritten(ctx.channel());
		this.added += Math.max(0, unwritten - before);
		if (unwritten > this.maxBacklogBytes) {
			cutOff(ctx, unwritten, 0);
		}
	}

	/**
	 * Whether a QoS 1 or 2 message with this packet id was written on this connection and may
	 * have reached the client: it still waits for its acknowledgement, or was among the last
	 * ones written. The engine's window holds at most a few messages, so an acknowledged one
	 * it still holds (the acknowledgement is on its way to the session's loop) was written
	 * recently. Network thread only.
	 */
	boolean wasWritten(int packetId) {
		if (this.unacknowledged == null) {
			return false;
		}
		if (this.unacknowledged.contains(packetId)) {
			return true;
		}
		for (int id : this.recent) {
			if (id == packetId) {
				return true;
			}
		}
		return false;
	}

	private void watch(ChannelHandlerContext ctx) {
		if (this.check == null && !this.cut) {
			startPeriod(ctx.channel());
			this.check = ctx.executor().schedule(() -> check(ctx), this.checkEveryMillis, TimeUnit.MILLISECONDS);
		}
	}

	/** While acknowledgements are outstanding: is the client too far behind? */
	private void check(ChannelHandlerContext ctx) {
		this.check = null;
		if (this.cut || !ctx.channel().isActive()) {
			return;
		}
		if (this.unacknowledged == null || this.unacknowledged.isEmpty()) {
			this.stalled = 0;
			return;
		}
		long unwritten = unwritten(ctx.channel());
		boolean drained = unwritten < this.unwrittenAtCheck + this.added;
		this.stalled = (this.acknowledged || drained) ? 0 : this.stalled + 1;
		long queued = this.queuedBytes.applyAsLong(ctx.channel());
		if (this.stalled >= this.stalledChecks && unwritten + queued > this.maxBacklogBytes) {
			cutOff(ctx, unwritten, queued);
			return;
		}
		watch(ctx);
	}

	private void startPeriod(Channel channel) {
		this.acknowledged = false;
		this.added = 0;
		this.unwrittenAtCheck = unwritten(channel);
	}

	private static long unwritten(Channel channel) {
		ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
		return (pending != null) ? pending.totalPendingWriteBytes() : 0;
	}

	private void cutOff(ChannelHandlerContext ctx, long unwritten, long queued) {
		if (this.cut) {
			return;
		}
		this.cut = true;
		this.limits.refused(Limit.CLIENT_BACKLOG);
		logger.warn("Closed the MQTT connection of {}: it does not read ({} bytes unwritten, {} bytes queued;"
				+ " mqtthub.broker.max-client-backlog is {} bytes)", this.addresses.resolve(ctx.channel().remoteAddress()),
				unwritten, queued, this.maxBacklogBytes);
		ctx.close();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		if (this.check != null) {
			this.check.cancel(false);
			this.check = null;
		}
		this.unacknowledged = null;
		this.recent = null;
		ctx.fireChannelInactive();
	}

}

package com.mqtthub.broker;


import com.mqtthub.security.RateLimitedLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mqtthub.broker.max-connections} at the door: a connection takes its slot when its socket
 * is accepted and gives it back when it closes, so that sockets that never send CONNECT count
 * too. A socket accepted while every slot is taken stays open only to be told CONNACK 3 at its
 * CONNECT ({@link ProtocolGuard}), and only while there is room for such sockets
 * ({@link BrokerLimits#tryWaitForRefusal()}); otherwise it is closed at once.
 */
final class ConnectionSlot extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionSlot.class);

	private static final RateLimitedLog closedAtOnce = new RateLimitedLog(logger,
			"sockets closed beyond mqtthub.broker.max-connections");

	private enum State {

		/** Not active yet. */
		NEW,

		/** Holds one of the broker's connection slots. */
		HELD,

		/** Beyond the maximum, kept only for its CONNACK 3. */
		WAITING_FOR_REFUSAL,

		/** Closed, or beyond the maximum and closed at once: holds nothing. */
		NONE

	}

	private final BrokerLimits limits;

	private final ClientAddresses addresses;

	private State state = State.NEW;

	ConnectionSlot(BrokerLimits limits, ClientAddresses addresses) {
		this.limits = limits;
		this.addresses = addresses;
	}

	/** Whether {@code channel} got a connection slot when it was accepted. */
	static boolean held(Channel channel) {
		ConnectionSlot slot = channel.pipeline().get(ConnectionSlot.class);
		return slot != null && slot.state == State.HELD;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		boolean closeNow = false;
		if (this.limits.tryConnect()) {
			this.state = State.HELD;
		}
		else if (this.limits.tryWaitForRefusal()) {
			this.state = State.WAITING_FOR_REFUSAL;
		}
		else {
			this.state = State.NONE;
			closeNow = true;
		}
		ctx.fireChannelActive();
		if (closeNow) {
			closedAtOnce.warn("Closed MQTT connection from {} at once: {} connections open and {} more waiting "
					+ "for their refusal (mqtthub.broker.max-connections)", this.addresses.resolve(ctx.channel()
						.remoteAddress()), this.limits.maxConnections(), BrokerLimits.REFUSAL_ROOM);
			ctx.close();
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (this.state == State.HELD) {
			this.limits.disconnected();
		}
		else if (this.state == State.WAITING_FOR_REFUSAL) {
			this.limits.refusalDone();
		}
		this.state = State.NONE;
		ctx.fireChannelInactive();
	}

}

package com.mqtthub.relay;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.mqtthub.broker.ClientAddresses;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.RelayLink;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Connects to the embedded broker inside this process (Netty's local transport: no socket, no
 * kernel), one connection per relayed WebSocket session, on a small event loop that lives
 * between the broker's and the web server's lifecycles.
 */
class BrokerConnector implements SmartLifecycle {

	/** After the broker starts and before the web server; stops in the reverse order. */
	static final int PHASE = EmbeddedBroker.PHASE + 1024;

	/** Local addresses are names in one table for the whole process: each connection its own. */
	private static final AtomicLong connections = new AtomicLong();

	private final EmbeddedBroker broker;

	private volatile EventLoopGroup group;

	BrokerConnector(EmbeddedBroker broker) {
		this.broker = broker;
	}

	/**
	 * Connects to the broker for the client of {@code link}, registered with the broker before
	 * the connection exists (so that even its first log line names the client) and forgotten
	 * when it closes. The broker sees the connection as it sees a TCP client: same pipeline,
	 * same limits.
	 */
	ChannelFuture connect(ChannelHandler handler, RelayLink link) {
		EventLoopGroup loops = this.group;
		SocketAddress broker = this.broker.getInProcessAddress();
		if (loops == null || broker == null) {
			throw new IllegalStateException("The broker connector is not running");
		}
		ClientAddresses addresses = this.broker.getClientAddresses();
		LocalAddress relayAddress = new LocalAddress("mqtt-relay-" + connections.incrementAndGet());
		addresses.relayed(relayAddress, link);
		ChannelFuture connected = new Bootstrap().group(loops)
			.channel(LocalChannel.class)
			.handler(handler)
			.connect(broker, relayAddress);
		connected.channel().closeFuture().addListener((closed) -> addresses.forget(relayAddress));
		connected.addListener((done) -> {
			if (!done.isSuccess()) {
				addresses.forget(relayAddress);
			}
		});
		return connected;
	}

	@Override
	public synchronized void start() {
		if (this.group == null) {
			// Netty 4.2 runs local channels only on loops with the local IoHandler.
			this.group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("mqtt-relay", true),
					LocalIoHandler.newFactory());
		}
	}

	@Override
	public synchronized void stop() {
		EventLoopGroup loops = this.group;
		if (loops != null) {
			this.group = null;
			loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		}
	}

	@Override
	public boolean isRunning() {
		return this.group != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}

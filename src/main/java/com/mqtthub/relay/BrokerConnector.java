package com.mqtthub.relay;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.ClientAddresses;
import com.mqtthub.broker.EmbeddedBroker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Opens TCP connections from this process to the embedded broker, one per relayed WebSocket
 * session, on a small event loop that lives between the broker's and the web server's lifecycles.
 */
class BrokerConnector implements SmartLifecycle {

	/** After the broker starts and before the web server; stops in the reverse order. */
	static final int PHASE = EmbeddedBroker.PHASE + 1024;

	private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

	private final EmbeddedBroker broker;

	private volatile EventLoopGroup group;

	BrokerConnector(EmbeddedBroker broker) {
		this.broker = broker;
	}

	/**
	 * Connects to the broker. The channel reads only when asked to ({@code autoRead} off), so
	 * that the handler can pace reading by how fast the browser takes the data.
	 */
	ChannelFuture connect(ChannelHandler handler) {
		EventLoopGroup loops = this.group;
		if (loops == null) {
			throw new IllegalStateException("The broker connector is not running");
		}
		return new Bootstrap().group(loops)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.AUTO_READ, false)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
			.option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
			.handler(handler)
			.connect(this.broker.getLocalTcpAddress());
	}

	/**
	 * Tells the broker which client is behind a relayed connection, until that connection closes.
	 */
	void relayedFor(Channel channel, InetSocketAddress client) {
		ClientAddresses addresses = this.broker.getClientAddresses();
		SocketAddress relayAddress = channel.localAddress();
		addresses.relayed(relayAddress, client);
		channel.closeFuture().addListener((closed) -> addresses.forget(relayAddress));
	}

	@Override
	public synchronized void start() {
		if (this.group == null) {
			this.group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("mqtt-relay", true),
					NioIoHandler.newFactory());
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

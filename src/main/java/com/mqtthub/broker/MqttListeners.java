package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

import io.moquette.broker.AutoFlushHandler;
import io.moquette.broker.MoquetteCore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The broker's network side: Netty listeners for MQTT over TCP and over WebSocket, whose
 * pipelines end in Moquette's engine with the hub's own handlers in front of it.
 */
final class MqttListeners {

	/**
	 * While QoS 1/2 acknowledgements are outstanding, a client's backlog is looked at every
	 * second; one over the limit that took nothing for three seconds in a row is cut off.
	 */
	private static final long BACKLOG_CHECK_MILLIS = 1000;

	private static final int BACKLOG_STALLED_CHECKS = 3;

	/** The guard's name in the pipeline: it hands packets to the engine. */
	private static final String ENGINE_HAND_OFF = "handler";

	private static final String WEBSOCKET_SUBPROTOCOLS = "mqtt,mqttv3.1,mqttv3.1.1";

	private final ChannelGroup connections = new DefaultChannelGroup("mqtt-connections",
			GlobalEventExecutor.INSTANCE);

	private final EventLoopGroup bossGroup;

	private final EventLoopGroup workerGroup;

	/**
	 * Loops of the in-process listener: Netty 4.2 runs local channels only on loops with the
	 * local IoHandler, not on the epoll or NIO loops of the network listeners.
	 */
	private final EventLoopGroup localGroup;

	private final Class<? extends ServerChannel> channelType;

	private final List<Channel> serverChannels = new ArrayList<>();

	private final ConnectionServices services;

	private volatile BrokerObserver observer = BrokerObserver.NONE;

	private final RetainFlag retainFlag;

	/** How long a new connection has, from its accept, to send a whole CONNECT. */
	private final Duration connectTimeout;

	/** Asks for a commit without waiting for it. */
	private static final Runnable NOTHING = () -> {
	};

	/** The engine's subscriptions, for the limit per client. */
	private final SubscriptionLimits.Subscriptions subscriptions;

	/** The longest pause of a publisher held back, or null when back-pressure is off. */
	private final Duration maxPublisherPause;

	// Shared by every connection rather than made for each: they hold no state of a connection.

	/** Told when a CONNECT is refused before it reaches the guard: it only counts. */
	private final Runnable refusedEarly = () -> this.observer.refused();

	private final PublishTopicLimits publishTopicLimits;

	private final RarePacketHandlers rarePackets;

	private final ToLongFunction<Channel> queuedBytes;

	private final InflightTracker.EngineSession engineSession;

	private final Runnable commitSoon;

	private final Consumer<EventExecutor> recordingOn;

	private final Consumer<Runnable> afterCommit;

	private final TimerSweeps timerSweeps;

	/**
	 * @param maxPublisherPause the longest a publisher is held back at a time ({@link BackPressure}),
	 * or null when back-pressure is off
	 */
	MqttListeners(ConnectionServices services, Duration connectTimeout, Duration maxPublisherPause) {
		this.maxPublisherPause = maxPublisherPause;
		this.retainFlag = new RetainFlag(services.core()::sentForNewSubscription);
		MoquetteCore core = services.core();
		this.subscriptions = new SubscriptionLimits.Subscriptions() {

			@Override
			public int count(String clientId) {
				return core.subscriptionCount(clientId);
			}

			@Override
			public boolean holds(String clientId, String filter) {
				return core.holdsSubscription(clientId, filter);
			}

			@Override
			public String clientIdOf(Channel channel) {
				return core.clientIdOf(channel);
			}

		};
		this.services = services;
		this.connectTimeout = connectTimeout;
		this.publishTopicLimits = new PublishTopicLimits(services.limits(), services.addresses(), this.refusedEarly);
		this.rarePackets = new RarePacketHandlers(services.limits(), services.retainedQuota(), services.addresses(),
				ENGINE_HAND_OFF);
		this.queuedBytes = core::queuedBytes;
		this.engineSession = InflightTracker.EngineSession.of(core);
		this.commitSoon = () -> core.afterCommit(NOTHING);
		this.recordingOn = core::recordsInFlightOn;
		this.afterCommit = core::afterCommit;
		this.timerSweeps = new TimerSweeps(System::nanoTime, MoquetteCore::takeOverConnectionTimers, core::mayResend,
				MoquetteCore::resendUnacknowledged, services.addresses());
		IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
		this.channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
		this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mqtt-accept"), io);
		this.workerGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("mqtt-io"), io);
		// Threads start on first use: none while nothing is relayed.
		this.localGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("mqtt-local"),
				LocalIoHandler.newFactory());
	}

	/** Whether every listener bound so far is still open (call under the broker's lock). */
	boolean allOpen() {
		return !this.serverChannels.isEmpty() && this.serverChannels.stream().allMatch(Channel::isOpen);
	}

	/** Reports the events of connections accepted from now on to {@code observer}. */
	void observe(BrokerObserver observer) {
		this.observer = observer;
	}

	/**
	 * Listens for MQTT over TCP and returns the bound port.
	 * @param tls the server's TLS context, or {@code null} for plain TCP
	 */
	int bindTcp(String host, int port, SslContext tls) throws InterruptedException {
		return bind(host, port, new ChannelInitializer<SocketChannel>() {
			@Override
			protected void initChannel(SocketChannel channel) {
				addSlot(channel);
				addTls(channel, tls);
				addMqttHandlers(channel.pipeline());
			}
		});
	}

	/**
	 * Listens for MQTT over WebSocket and returns the bound port.
	 * @param allowedOrigins origins of other sites whose pages may connect (see {@link WebSocketOriginCheck})
	 * @param tls the server's TLS context, or {@code null} for plain WebSocket
	 */
	int bindWebSocket(String host, int port, String path, int maxFrameBytes, List<String> allowedOrigins,
			SslContext tls) throws InterruptedException {
		WebSocketOriginCheck originCheck = new WebSocketOriginCheck(allowedOrigins, this.services.limits());
		return bind(host, port, new ChannelInitializer<SocketChannel>() {
			@Override
			protected void initChannel(SocketChannel channel) {
				addSlot(channel);
				addTls(channel, tls);
				ChannelPipeline pipeline = channel.pipeline();
				pipeline.addLast("http", new HttpServerCodec());
				pipeline.addLast("httpAggregator", new HttpObjectAggregator(65536));
				pipeline.addLast("originCheck", originCheck);
				pipeline.addLast("webSocket",
						new WebSocketServerProtocolHandler(path, WEBSOCKET_SUBPROTOCOLS, true, maxFrameBytes));
				pipeline.addLast("webSocketFrames", WebSocketFrameCodec.INSTANCE);
				addMqttHandlers(pipeline);
			}
		});
	}

	/**
	 * Listens for MQTT inside this process only (Netty's local transport, no socket), for the
	 * same-origin relay, and returns the address to connect a {@link LocalChannel} to. The
	 * pipeline is the TCP listener's: the same slot, deadline, limits and back-pressure.
	 */
	SocketAddress bindLocal() throws InterruptedException {
		Channel server = new ServerBootstrap().group(this.localGroup)
			.channel(LocalServerChannel.class)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferWaterMark())
			.childHandler(new ChannelInitializer<LocalChannel>() {
				@Override
				protected void initChannel(LocalChannel channel) {
					channel.pipeline()
						.addLast("relayFlowControl", new RelayFlowControl(MqttListeners.this.services.addresses()));
					addSlot(channel);
					addMqttHandlers(channel.pipeline());
				}
			})
			// A fresh address for each broker, so that brokers in one process never share one.
			.bind(LocalAddress.ANY)
			.sync()
			.channel();
		this.serverChannels.add(server);
		return server.localAddress();
	}

	/** First of all: the connection slot is taken at accept, before a TLS handshake or an upgrade. */
	private void addSlot(Channel channel) {
		channel.pipeline().addLast("connectionSlot", new ConnectionSlot(this.services.limits(),
				this.services.addresses()));
	}

	private static void addTls(SocketChannel channel, SslContext tls) {
		if (tls != null) {
			channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
		}
	}

	private void addMqttHandlers(ChannelPipeline pipeline) {
		this.connections.add(pipeline.channel());
		int flushMillis = this.services.core().bufferFlushMillis();
		if (flushMillis > 0) {
			pipeline.addLast("autoflush", new AutoFlushHandler(flushMillis, TimeUnit.MILLISECONDS));
		}
		pipeline.addLast("decoder", new MqttDecoder(this.services.maxMessageBytes()));
		pipeline.addLast("connectDeadline", new ConnectDeadline(this.connectTimeout, this.services.limits(),
				this.services.addresses()));
		if (this.maxPublisherPause != null) {
			// Before every handler of packets: what it holds back has not been looked at yet.
			pipeline.addLast("publisherBackPressure",
					new PublisherBackPressure(this.services.limits(), this.maxPublisherPause.toNanos()));
		}
		pipeline.addLast("encoder", MqttEncoder.INSTANCE);
		// Keep-alive and resend from the CONNACK on; before it, ConnectDeadline bounds the wait.
		pipeline.addLast("timers", new ConnectionTimers(this.timerSweeps));
		// Inbound in this order; outbound, what the engine writes passes them from the last up.
		ProtocolGuard guard = new ProtocolGuard(this.services).observedBy(this.observer);
		MoquetteCore core = this.services.core();
		pipeline.addLast("clientBacklog", new ClientBacklogLimit(this.services.limits(), this.services.addresses(),
				this.queuedBytes, BACKLOG_CHECK_MILLIS, BACKLOG_STALLED_CHECKS));
		pipeline.addLast("packetRules", new PacketRules(this.services.addresses(), this.services.maxMessageBytes(),
				this.refusedEarly, this.rarePackets));
		pipeline.addLast("publishTopicLimits", this.publishTopicLimits);
		pipeline.addLast("subscriptionLimits",
				new SubscriptionLimits(this.services.limits(), this.subscriptions, this.services.addresses()));
		pipeline.addLast("inflight", new InflightTracker(this.services.inflight(), this.engineSession, this.commitSoon,
				this.recordingOn));
		pipeline.addLast("retainFlag", this.retainFlag);
		pipeline.addLast("durableAcknowledgements", new DurableAcknowledgements(this.afterCommit));
		// Qos2Receipts and RetainedLimits join here, before the guard, with the first packet that needs them.
		pipeline.addLast(ENGINE_HAND_OFF, guard);
		pipeline.addLast("slowClients", new SlowClientShedding(this.services.limits(), this.services.addresses()));
	}

	private int bind(String host, int port, ChannelInitializer<SocketChannel> initializer)
			throws InterruptedException {
		Channel server = new ServerBootstrap().group(this.bossGroup, this.workerGroup)
			.channel(this.channelType)
			.option(ChannelOption.SO_BACKLOG, 1024)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.SO_KEEPALIVE, true)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, writeBufferWaterMark())
			.childHandler(initializer)
			.bind(host, port)
			.sync()
			.channel();
		this.serverChannels.add(server);
		return ((InetSocketAddress) server.localAddress()).getPort();
	}

	/**
	 * Above the slow-client buffer, so that the hub (which counts what it drops) decides what a
	 * slow client loses, not the engine (which drops even acknowledgements).
	 */
	private WriteBufferWaterMark writeBufferWaterMark() {
		long slowClientBuffer = this.services.limits().slowClientBufferBytes();
		return new WriteBufferWaterMark((int) Math.min(Integer.MAX_VALUE / 4, 2 * slowClientBuffer),
				(int) Math.min(Integer.MAX_VALUE / 2, 4 * slowClientBuffer));
	}

	/** Stops accepting new connections; open ones carry on. */
	void stopAccepting() {
		for (Channel server : this.serverChannels) {
			server.close().syncUninterruptibly();
		}
		this.serverChannels.clear();
	}

	/** Closes every connection logged in with this user name; returns how many. */
	int closeConnectionsOf(String username) {
		int closed = 0;
		for (Channel connection : this.connections) {
			ProtocolGuard guard = connection.pipeline().get(ProtocolGuard.class);
			if (guard != null && username.equals(guard.username())) {
				connection.close();
				closed++;
			}
		}
		return closed;
	}

	/** Open MQTT connections. */
	int openConnections() {
		return this.connections.size();
	}

	/** Whether every connection has written out everything it was given. */
	boolean allWritten() {
		for (Channel connection : this.connections) {
			ChannelOutboundBuffer pending = connection.unsafe().outboundBuffer();
			if (connection.isActive() && pending != null && pending.totalPendingWriteBytes() > 0) {
				return false;
			}
		}
		return true;
	}

	/** Closes every connection and waits for the event loops to finish. */
	void close() {
		stopAccepting();
		this.connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
		this.bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		this.workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		this.localGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
	}

}

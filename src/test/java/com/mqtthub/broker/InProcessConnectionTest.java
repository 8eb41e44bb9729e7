package com.mqtthub.broker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's in-process connection on Netty's real local transport, as {@link MqttListeners}
 * and the relay set it up: the address the relay binds is the one the broker's side sees, and a
 * receiver that takes nothing holds the sender to one window.
 */
class InProcessConnectionTest {

	private static final InetSocketAddress BROWSER = new InetSocketAddress("192.0.2.9", 40000);

	private final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());

	private final ClientAddresses addresses = new ClientAddresses();

	private final CompletableFuture<SocketAddress> seen = new CompletableFuture<>();

	private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

	@AfterEach
	void stop() {
		this.loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private SocketAddress listen() throws InterruptedException {
		return new ServerBootstrap().group(this.loops)
			.channel(LocalServerChannel.class)
			.childHandler(new ChannelInitializer<LocalChannel>() {
				@Override
				protected void initChannel(LocalChannel channel) {
					channel.pipeline().addLast(new RelayFlowControl(InProcessConnectionTest.this.addresses));
					channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
						@Override
						public void channelActive(ChannelHandlerContext ctx) {
							InProcessConnectionTest.this.seen
								.complete(InProcessConnectionTest.this.addresses.resolve(ctx.channel().remoteAddress()));
							InProcessConnectionTest.this.accepted.complete(ctx.channel());
						}
					});
				}
			})
			.bind(LocalAddress.ANY)
			.sync()
			.channel()
			.localAddress();
	}

	private Channel connect(SocketAddress server, RelayLink link, ChannelInboundHandlerAdapter handler)
			throws InterruptedException {
		LocalAddress relayAddress = new LocalAddress("in-process-test-" + System.nanoTime());
		this.addresses.relayed(relayAddress, link);
		return new Bootstrap().group(this.loops)
			.channel(LocalChannel.class)
			.handler(handler)
			.connect(server, relayAddress)
			.sync()
			.channel();
	}

	@Test
	void theBrokerSideKnowsTheBrowserBehindTheRelaysConnection() throws Exception {
		SocketAddress server = listen();
		Channel relay = connect(server, new RelayLink(BROWSER, 1024), new ChannelInboundHandlerAdapter());
		assertThat(this.seen.get(10, TimeUnit.SECONDS)).isEqualTo(BROWSER);
		relay.close().sync();
	}

	@Test
	void aRelayThatTakesNothingHoldsTheBrokerToOneWindowTheRestWaitsInItsOutboundBuffer() throws Exception {
		SocketAddress server = listen();
		RelayLink link = new RelayLink(BROWSER, 1000);
		long[] arrived = new long[1];
		Channel relay = connect(server, link, new ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) {
				arrived[0] += ((ByteBuf) msg).readableBytes();
				ReferenceCountUtil.release(msg);
			}
		});
		Channel broker = this.accepted.get(10, TimeUnit.SECONDS);
		for (int i = 0; i < 10; i++) {
			broker.writeAndFlush(Unpooled.wrappedBuffer(new byte[500]));
		}
		// Counted with Netty's overhead for each message waiting.
		await().atMost(10, TimeUnit.SECONDS)
			.until(() -> broker.eventLoop()
				.submit(() -> broker.unsafe().outboundBuffer().totalPendingWriteBytes())
				.get() >= 4000);
		assertThat(link.toClient().untaken()).isEqualTo(1000);
		assertThat(relay.eventLoop().submit(() -> arrived[0]).get()).isEqualTo(1000);

		link.toClient().taken(1000);
		await().atMost(10, TimeUnit.SECONDS).until(() -> relay.eventLoop().submit(() -> arrived[0]).get() == 5000);
		relay.close().sync();
	}

}

package com.mqtthub.broker;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RelayFlowControlTest {

	private static final InetSocketAddress BROWSER = new InetSocketAddress("192.0.2.7", 50123);

	private final ClientAddresses addresses = new ClientAddresses();

	private final RelayLink link = new RelayLink(BROWSER, 10);

	private EmbeddedChannel relayed() {
		// Active before the handler, so that its address is known and registered first, as the
		// relay registers its address before it connects.
		EmbeddedChannel channel = new EmbeddedChannel();
		this.addresses.relayed(channel.remoteAddress(), this.link);
		channel.pipeline().addLast(new RelayFlowControl(this.addresses));
		channel.pipeline().fireChannelActive();
		return channel;
	}

	@Test
	void writesWaitUnflushedWhileTheRelayHoldsAWindowsWorthAndGoOutWhenItTakesSome() {
		EmbeddedChannel channel = relayed();
		channel.writeAndFlush(bytes(10));
		assertThat(received(channel)).isEqualTo(10);
		assertThat(this.link.toClient().isOpen()).isFalse();

		channel.writeAndFlush(bytes(4));
		assertThat((Object) channel.readOutbound()).as("held while the window is closed").isNull();
		assertThat(channel.unsafe().outboundBuffer().totalPendingWriteBytes())
			.as("counted where the slow-client limits look").isGreaterThanOrEqualTo(4);

		this.link.toClient().taken(6);
		channel.runPendingTasks();
		assertThat(received(channel)).isEqualTo(4);
		assertThat(this.link.toClient().untaken()).isEqualTo(8);
		channel.finishAndReleaseAll();
	}

	@Test
	void whatTheBrokerReadsIsTakenSoTheRelayMaySendMore() {
		EmbeddedChannel channel = relayed();
		this.link.toBroker().sent(10);
		assertThat(this.link.toBroker().isOpen()).isFalse();
		channel.writeInbound(bytes(7));
		assertThat(this.link.toBroker().untaken()).isEqualTo(3);
		assertThat(this.link.toBroker().isOpen()).isTrue();
		channel.finishAndReleaseAll();
	}

	@Test
	void anInProcessConnectionNoRelayRegisteredIsClosed() {
		EmbeddedChannel channel = new EmbeddedChannel(new RelayFlowControl(this.addresses));
		assertThat(channel.isOpen()).isFalse();
	}

	@Test
	void theBrokerSeesTheBrowsersAddress() {
		EmbeddedChannel channel = relayed();
		assertThat(this.addresses.resolve(channel.remoteAddress())).isEqualTo(BROWSER);
		this.addresses.forget(channel.remoteAddress());
		assertThat(this.addresses.resolve(channel.remoteAddress())).isEqualTo(channel.remoteAddress());
		channel.finishAndReleaseAll();
	}

	private static ByteBuf bytes(int count) {
		return Unpooled.wrappedBuffer(new byte[count]);
	}

	private static int received(EmbeddedChannel channel) {
		int total = 0;
		ByteBuf data;
		while ((data = channel.readOutbound()) != null) {
			total += data.readableBytes();
			data.release();
		}
		return total;
	}

}

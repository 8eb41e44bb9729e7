package com.mqtthub.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectDeadlineTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final BrokerLimits limits = new BrokerLimits(new BrokerProperties());

	private EmbeddedChannel channel() {
		EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(),
				new ConnectDeadline(TIMEOUT, this.limits, new ClientAddresses()));
		channel.freezeTime();
		return channel;
	}

	private static byte[] connectBytes() {
		MqttConnectMessage connect = MqttMessageBuilders.connect()
			.clientId("device-1")
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(true)
			.keepAlive(30)
			.build();
		EmbeddedChannel encoder = new EmbeddedChannel(MqttEncoder.INSTANCE);
		encoder.writeOutbound(connect);
		ByteBuf encoded = encoder.readOutbound();
		byte[] bytes = new byte[encoded.readableBytes()];
		encoded.readBytes(bytes);
		encoded.release();
		return bytes;
	}

	private static void pass(EmbeddedChannel channel, Duration time) {
		channel.advanceTimeBy(time.toMillis(), TimeUnit.MILLISECONDS);
		channel.runScheduledPendingTasks();
	}

	@Test
	void aSocketThatSendsNothingIsClosedAtTheDeadlineAndCounted() {
		EmbeddedChannel channel = channel();
		pass(channel, TIMEOUT.minusMillis(1));
		assertThat(channel.isOpen()).isTrue();
		pass(channel, Duration.ofMillis(1));
		assertThat(channel.isOpen()).isFalse();
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(1);
	}

	@Test
	void aConnectThatTricklesInIsClosedAtTheDeadlineHoweverBusyTheClientLooks() {
		EmbeddedChannel channel = channel();
		byte[] connect = connectBytes();
		// One byte every 5 s: never idle for long, never done in time.
		int sent = 0;
		while (channel.isOpen() && sent < connect.length) {
			channel.writeInbound(Unpooled.wrappedBuffer(connect, sent++, 1));
			pass(channel, Duration.ofSeconds(5));
		}
		assertThat(channel.isOpen()).isFalse();
		assertThat(sent).isLessThan(connect.length);
		assertThat((Object) channel.readInbound()).isNull();
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void aWholeConnectInTimeEndsTheDeadline() {
		EmbeddedChannel channel = channel();
		pass(channel, TIMEOUT.minusSeconds(1));
		channel.writeInbound(Unpooled.wrappedBuffer(connectBytes()));
		Object connect = channel.readInbound();
		assertThat(connect).isInstanceOf(MqttConnectMessage.class);
		ReferenceCountUtil.release(connect);
		pass(channel, TIMEOUT.multipliedBy(3));
		assertThat(channel.isOpen()).isTrue();
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isZero();
		channel.finishAndReleaseAll();
	}

	@Test
	void afterTheConnectTheHandlerLeavesThePipelineAndLaterPacketsStillPass() {
		EmbeddedChannel channel = channel();
		channel.writeInbound(Unpooled.wrappedBuffer(connectBytes()));
		ReferenceCountUtil.release(channel.readInbound());
		assertThat(channel.pipeline().get(ConnectDeadline.class)).isNull();
		assertThat(channel.pipeline().get(MqttDecoder.class)).isNotNull();
		channel.writeInbound(Unpooled.wrappedBuffer(new byte[] { (byte) 0xC0, 0 }));
		Object ping = channel.readInbound();
		assertThat(ping).isInstanceOf(io.netty.handler.codec.mqtt.MqttMessage.class);
		pass(channel, TIMEOUT.multipliedBy(3));
		assertThat(channel.isOpen()).isTrue();
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isZero();
		channel.finishAndReleaseAll();
	}

	@Test
	void aPipelineTornDownWhileTheConnectPassesIsNoError() {
		EmbeddedChannel channel = channel();
		channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
			@Override
			public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
				ctx.pipeline().remove(ConnectDeadline.class);
				ctx.fireChannelRead(msg);
			}
		});
		channel.writeInbound(Unpooled.wrappedBuffer(connectBytes()));
		ReferenceCountUtil.release(channel.readInbound());
		assertThat(channel.pipeline().get(ConnectDeadline.class)).isNull();
		channel.finishAndReleaseAll();
	}

	@Test
	void overWebSocketTheDeadlineCoversTheUpgrade() {
		EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(65536),
				new WebSocketServerProtocolHandler("/mqtt", "mqtt", true, 65536), WebSocketFrameCodec.INSTANCE,
				new MqttDecoder(), new ConnectDeadline(TIMEOUT, this.limits, new ClientAddresses()));
		channel.freezeTime();
		// An upgrade request that never ends.
		channel.writeInbound(Unpooled.copiedBuffer("GET /mqtt HTTP/1.1\r\nHost: hub.example\r\nUpgrade: websocket\r\n",
				StandardCharsets.US_ASCII));
		pass(channel, TIMEOUT);
		assertThat(channel.isOpen()).isFalse();
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isEqualTo(1);
		channel.finishAndReleaseAll();
	}

	@Test
	void aConnectionClosedBeforeTheDeadlineIsNotCounted() {
		EmbeddedChannel channel = channel();
		channel.close();
		pass(channel, TIMEOUT.multipliedBy(2));
		assertThat(this.limits.refusals(Limit.CONNECT_TIMEOUT)).isZero();
	}

}

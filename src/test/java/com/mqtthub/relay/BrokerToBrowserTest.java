package com.mqtthub.relay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.mqtthub.broker.FlowWindow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.socket.WebSocketSession;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

/**
 * The broker-to-browser half of the relay: one frame on its way at a time, with whatever the
 * broker sent meanwhile in the next, and the window told what the browser's socket took.
 */
class BrokerToBrowserTest {

	private final List<Integer> frames = new ArrayList<>();

	private final List<SendHandler> waiting = new ArrayList<>();

	private final FlowWindow window = new FlowWindow(MqttWebSocketRelay.WINDOW_BYTES);

	private final EmbeddedChannel channel;

	BrokerToBrowserTest() {
		RemoteEndpoint.Async browser = mock(RemoteEndpoint.Async.class);
		doAnswer((call) -> {
			this.frames.add(((ByteBuffer) call.getArgument(0)).remaining());
			this.waiting.add(call.getArgument(1));
			return null;
		}).when(browser).sendBinary(any(ByteBuffer.class), any(SendHandler.class));
		this.channel = new EmbeddedChannel(
				new MqttWebSocketRelay.BrokerToBrowser(mock(WebSocketSession.class), browser, this.window));
	}

	@AfterEach
	void release() {
		this.channel.finishAndReleaseAll();
	}

	private void fromBroker(int... sizes) {
		for (int size : sizes) {
			this.window.sent(size);
			this.channel.pipeline().fireChannelRead(Unpooled.wrappedBuffer(new byte[size]));
		}
		this.channel.pipeline().fireChannelReadComplete();
	}

	private void browserTookTheFrame() {
		this.waiting.remove(0).onResult(new SendResult());
		this.channel.runPendingTasks();
	}

	@Test
	void whatArrivesInOneReadGoesOutAsOneFrame() {
		fromBroker(4, 10, 2);
		assertThat(this.frames).containsExactly(16);
		browserTookTheFrame();
		assertThat(this.window.untaken()).isZero();
	}

	@Test
	void whatArrivesWhileAFrameIsOnItsWayWaitsAndGoesOutTogetherInTheNext() {
		fromBroker(4);
		fromBroker(5);
		fromBroker(6);
		assertThat(this.frames).as("one frame at a time").containsExactly(4);
		browserTookTheFrame();
		assertThat(this.frames).containsExactly(4, 11);
		assertThat(this.window.untaken()).isEqualTo(11);
		browserTookTheFrame();
		assertThat(this.window.untaken()).isZero();
	}

	@Test
	void framesAreAtMostTheLargestFrameSize() {
		fromBroker(MqttWebSocketRelay.MAX_FRAME_BYTES + 100, 50);
		browserTookTheFrame();
		browserTookTheFrame();
		assertThat(this.frames).containsExactly(MqttWebSocketRelay.MAX_FRAME_BYTES, 150);
		assertThat(this.waiting).isEmpty();
	}

	@Test
	void aFailedSendClosesTheBrokerConnection() {
		fromBroker(8);
		this.waiting.remove(0).onResult(new SendResult(new java.io.IOException("reset")));
		this.channel.runPendingTasks();
		assertThat(this.channel.isOpen()).isFalse();
	}

}

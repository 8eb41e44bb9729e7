package io.moquette.broker;

import java.time.Duration;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * MQTT clients of an engine started by {@link InMemoryCores}, each an {@link EmbeddedChannel} in
 * front of the engine's handler, for tests of {@link MoquetteCore}.
 */
final class EngineClients {

	private EngineClients() {
	}

	/** A client that has sent CONNECT and received its CONNACK. */
	static EmbeddedChannel connected(MoquetteCore core, String clientId, boolean cleanSession, Duration wait)
			throws InterruptedException {
		return connect(new EmbeddedChannel(core.mqttHandler()), clientId, cleanSession, wait);
	}

	/** Sends CONNECT on a channel in front of the engine's handler and waits for its CONNACK. */
	static <C extends EmbeddedChannel> C connect(C channel, String clientId, boolean cleanSession, Duration wait)
			throws InterruptedException {
		channel.writeInbound(MqttMessageBuilders.connect()
			.clientId(clientId)
			.protocolVersion(MqttVersion.MQTT_3_1_1)
			.cleanSession(cleanSession)
			.keepAlive(60)
			.build());
		ReferenceCountUtil.release(awaitOutbound(channel, MqttConnAckMessage.class, wait));
		return channel;
	}

	/**
	 * The next message of this type the engine sends to the client, releasing the others before
	 * it; the engine works on its own threads, so this waits for it.
	 */
	static <T> T awaitOutbound(EmbeddedChannel channel, Class<T> type, Duration wait) throws InterruptedException {
		long deadline = System.nanoTime() + wait.toNanos();
		while (System.nanoTime() < deadline) {
			channel.runPendingTasks();
			Object message = channel.readOutbound();
			if (type.isInstance(message)) {
				return type.cast(message);
			}
			ReferenceCountUtil.release(message);
			if (message == null) {
				Thread.sleep(10);
			}
		}
		throw new AssertionError("No " + type.getSimpleName() + " within " + wait);
	}

	/** Whether the engine sends this client a message of this type within the wait. */
	static boolean sendsWithin(EmbeddedChannel channel, Class<?> type, Duration wait) throws InterruptedException {
		try {
			ReferenceCountUtil.release(awaitOutbound(channel, type, wait));
			return true;
		}
		catch (AssertionError none) {
			return false;
		}
	}

}

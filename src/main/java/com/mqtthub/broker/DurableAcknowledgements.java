package com.mqtthub.broker;

import java.util.function.Consumer;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;

/**
 * Acknowledge after commit: answers that confirm stored state leave only once what they confirm
 * is on disk, so that a crash right after cannot lose it. PUBACK and PUBREC (retained messages,
 * messages queued for offline sessions) always; for a session that outlives its connection
 * (clean session 0) also the CONNACK accepting it, SUBACK and UNSUBACK. A refusing CONNACK goes
 * out at once: the connection closes next. Answers keep their order: they all wait in the same
 * line.
 */
final class DurableAcknowledgements extends ChannelDuplexHandler {

	/** Runs an action once everything stored so far is committed (the engine's group commit). */
	private final Consumer<Runnable> afterCommit;

	/** The client asked for a session that outlives the connection. */
	private boolean persistentSession;

	DurableAcknowledgements(Consumer<Runnable> afterCommit) {
		this.afterCommit = afterCommit;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof MqttConnectMessage connect) {
			this.persistentSession = !connect.variableHeader().isCleanSession();
		}
		ctx.fireChannelRead(msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (mustBeDurableFirst(msg)) {
			this.afterCommit.accept(() -> ctx.executor().execute(() -> ctx.writeAndFlush(msg, promise)));
			return;
		}
		ctx.write(msg, promise);
	}

	private boolean mustBeDurableFirst(Object msg) {
		if (!(msg instanceof MqttMessage message) || message.fixedHeader() == null) {
			return false;
		}
		return switch (message.fixedHeader().messageType()) {
			case PUBACK, PUBREC -> true;
			case CONNACK -> this.persistentSession && ((MqttConnAckMessage) message).variableHeader()
				.connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED;
			case SUBACK, UNSUBACK -> this.persistentSession;
			default -> false;
		};
	}

}

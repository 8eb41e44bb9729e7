package com.mqtthub.broker;

import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;

/**
 * The engine's one interceptor: it reports messages that passed authorization to the hub's
 * {@link BrokerObserver}, on the engine's session loop that routed them, away from the
 * connections.
 */
final class RoutedMessages extends AbstractInterceptHandler {

	private final BrokerObserver observer;

	RoutedMessages(BrokerObserver observer) {
		this.observer = observer;
	}

	@Override
	public String getID() {
		return "mqtthub-monitoring";
	}

	@Override
	public Class<?>[] getInterceptedMessageTypes() {
		return new Class<?>[] { InterceptPublishMessage.class };
	}

	@Override
	public void onPublish(InterceptPublishMessage message) {
		ByteBuf payload = message.getPayload();
		try {
			report(this.observer, message.getTopicName(), payload, message.getQos().value(), message.isRetainFlag());
		}
		finally {
			payload.release();
		}
	}

	static void report(BrokerObserver observer, String topic, ByteBuf payload, int qos, boolean retain) {
		int size = payload.readableBytes();
		byte[] head = new byte[Math.min(size, Math.max(0, observer.payloadBytesKept()))];
		payload.getBytes(payload.readerIndex(), head);
		observer.routed(topic, head, size, qos, retain);
	}

	@Override
	public void onSessionLoopError(Throwable error) {
	}

}

package com.mqtthub.broker;

import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * Turns the packets one connection's {@link ProtocolGuard} sees into {@link BrokerObserver}
 * events. Used on the connection's event loop only; it reads headers and sizes, never payloads.
 */
final class ConnectionObservation {

	private final BrokerObserver observer;

	private final ConnectionId id = ConnectionId.next();

	private ClientConnection client;

	private boolean reported;

	/** Filters asked for by SUBSCRIBE / UNSUBSCRIBE, by packet id, until their answer. */
	private Map<Integer, List<String>> pendingSubscribe;

	private Map<Integer, List<String>> pendingUnsubscribe;

	ConnectionObservation(BrokerObserver observer) {
		this.observer = observer;
	}

	/** The CONNECT handed to the engine. */
	void connect(MqttConnectMessage connect, SocketAddress remote) {
		int level = connect.variableHeader().version();
		this.client = new ClientConnection(connect.payload().clientIdentifier(), connect.payload().userName(),
				remote, (level == MqttVersion.MQTT_3_1.protocolLevel()) ? "3.1" : "3.1.1",
				connect.variableHeader().keepAliveTimeSeconds(), connect.variableHeader().isCleanSession(),
				Instant.now());
	}

	/** The connection is accepted and its CONNACK written. */
	void accepted() {
		if (this.client != null && !this.reported) {
			this.reported = true;
			this.observer.connected(this.id, this.client);
		}
	}

	void ended(boolean clean) {
		if (this.reported) {
			this.reported = false;
			this.observer.disconnected(this.id, clean);
		}
	}

	/** The hub refused the connection itself. */
	void refused() {
		this.observer.refused();
	}

	/** The CONNECT named a session of another user. */
	void takeoverRefused() {
		this.observer.takeoverRefused();
	}

	/** Answers the engine dropped were written for it. */
	void answeredForEngine(int answers) {
		this.observer.answeredForEngine(answers);
	}

	/** A packet on its way to the engine. */
	void inbound(MqttMessage message) {
		switch (message.fixedHeader().messageType()) {
			case PUBLISH -> this.observer.received(this.id, message.fixedHeader().qosLevel().value(),
					((MqttPublishMessage) message).content().readableBytes());
			case SUBSCRIBE -> {
				MqttSubscribeMessage subscribe = (MqttSubscribeMessage) message;
				List<String> filters = new ArrayList<>();
				for (MqttTopicSubscription subscription : subscribe.payload().topicSubscriptions()) {
					filters.add(subscription.topicFilter());
				}
				if (this.pendingSubscribe == null) {
					this.pendingSubscribe = new HashMap<>();
				}
				this.pendingSubscribe.put(subscribe.variableHeader().messageId(), filters);
			}
			case UNSUBSCRIBE -> {
				MqttUnsubscribeMessage unsubscribe = (MqttUnsubscribeMessage) message;
				if (this.pendingUnsubscribe == null) {
					this.pendingUnsubscribe = new HashMap<>();
				}
				this.pendingUnsubscribe.put(unsubscribe.variableHeader().messageId(),
						List.copyOf(unsubscribe.payload().topics()));
			}
			default -> {
			}
		}
	}

	/** A message written to the client. */
	void outbound(Object msg) {
		if (!(msg instanceof MqttMessage message) || message.fixedHeader() == null) {
			return;
		}
		switch (message.fixedHeader().messageType()) {
			case PUBLISH -> this.observer.delivered(this.id, message.fixedHeader().qosLevel().value(),
					((MqttPublishMessage) message).content().readableBytes());
			case CONNACK -> {
				if (((MqttConnAckMessage) message).variableHeader()
					.connectReturnCode() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
					this.observer.refused();
				}
			}
			case SUBACK -> {
				MqttSubAckMessage subAck = (MqttSubAckMessage) message;
				List<String> asked = (this.pendingSubscribe != null)
						? this.pendingSubscribe.remove(subAck.variableHeader().messageId()) : null;
				if (asked == null) {
					return;
				}
				List<Integer> granted = subAck.payload().grantedQoSLevels();
				List<String> filters = new ArrayList<>(asked.size());
				for (int i = 0; i < asked.size() && i < granted.size(); i++) {
					if (granted.get(i) < 0x80) {
						filters.add(asked.get(i));
					}
				}
				if (!filters.isEmpty()) {
					this.observer.subscribed(this.id, filters);
				}
			}
			case UNSUBACK -> {
				List<String> asked = (this.pendingUnsubscribe != null) ? this.pendingUnsubscribe
					.remove(((MqttMessageIdVariableHeader) message.variableHeader()).messageId()) : null;
				if (asked != null) {
					this.observer.unsubscribed(this.id, asked);
				}
			}
			default -> {
			}
		}
	}

}

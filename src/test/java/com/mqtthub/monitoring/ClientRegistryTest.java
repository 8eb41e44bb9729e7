package com.mqtthub.monitoring;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;

import com.mqtthub.broker.ClientConnection;
import com.mqtthub.broker.ConnectionId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientRegistryTest {

	private final ClientRegistry registry = new ClientRegistry();

	private static ClientConnection client(String clientId, boolean cleanSession) {
		return new ClientConnection(clientId, "user", new InetSocketAddress("127.0.0.1", 50000), "3.1.1", 60, cleanSession, Instant.now());
	}

	@Test
	void anIdleClientIsListedWithNoSubscriptionsAndNoMessages() {
		this.registry.connected(new ConnectionId(1), client("idle", true));
		ClientView view = this.registry.list(null).get(0);
		assertThat(view.subscriptions()).isEmpty();
		assertThat(view.messagesIn()).isZero();
		assertThat(view.messagesOut()).isZero();
		assertThat(this.registry.subscriptionCount()).isZero();
	}

	@Test
	void messagesAreCountedEachWay() {
		ConnectionId id = new ConnectionId(1);
		this.registry.connected(id, client("busy", true));
		this.registry.received(id);
		this.registry.received(id);
		this.registry.delivered(id);
		ClientView view = this.registry.list(null).get(0);
		assertThat(view.messagesIn()).isEqualTo(2);
		assertThat(view.messagesOut()).isOne();
	}

	@Test
	void subscriptionsComeAndGoAndUnsubscribingWithNoneIsNoError() {
		ConnectionId id = new ConnectionId(1);
		this.registry.connected(id, client("subscriber", true));
		this.registry.unsubscribed(id, List.of("a/b"));
		this.registry.subscribed(id, List.of("b/#", "a/b"));
		assertThat(this.registry.list(null).get(0).subscriptions()).containsExactly("a/b", "b/#");
		assertThat(this.registry.subscriptionCount()).isEqualTo(2);
		this.registry.unsubscribed(id, List.of("a/b"));
		assertThat(this.registry.list(null).get(0).subscriptions()).containsExactly("b/#");
	}

	@Test
	void aPersistentSessionsSubscriptionsWaitForItsClient() {
		ConnectionId first = new ConnectionId(1);
		this.registry.connected(first, client("device", false));
		this.registry.subscribed(first, List.of("cmd/device"));
		this.registry.disconnected(first);
		assertThat(this.registry.connectedCount()).isZero();
		ConnectionId second = new ConnectionId(2);
		this.registry.connected(second, client("device", false));
		assertThat(this.registry.list(null).get(0).subscriptions()).containsExactly("cmd/device");
	}

	@Test
	void aPersistentSessionWithNoSubscriptionsLeavesNothingBehind() {
		ConnectionId first = new ConnectionId(1);
		this.registry.connected(first, client("quiet", false));
		this.registry.disconnected(first);
		this.registry.connected(new ConnectionId(2), client("quiet", false));
		assertThat(this.registry.list(null).get(0).subscriptions()).isEmpty();
	}

	@Test
	void aTakeoverHandsTheSubscriptionsToTheNewConnection() {
		ConnectionId old = new ConnectionId(1);
		this.registry.connected(old, client("device", false));
		this.registry.subscribed(old, List.of("cmd/device"));
		ConnectionId successor = new ConnectionId(2);
		this.registry.connected(successor, client("device", false));
		this.registry.disconnected(old);
		assertThat(this.registry.list(null)).singleElement()
			.satisfies(view -> assertThat(view.subscriptions()).containsExactly("cmd/device"));
	}

}

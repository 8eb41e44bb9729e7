package com.mqtthub.broker;

import java.util.ArrayList;
import java.util.List;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionSlotTest {

	private final BrokerLimits limits = limits(2);

	private static BrokerLimits limits(int maxConnections) {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxConnections(maxConnections);
		return new BrokerLimits(properties);
	}

	private EmbeddedChannel accept() {
		return new EmbeddedChannel(new ConnectionSlot(this.limits, new ClientAddresses()));
	}

	@Test
	void aSocketTakesItsSlotAtAcceptBeforeAnyConnectAndGivesItBackAtClose() {
		EmbeddedChannel first = accept();
		assertThat(this.limits.connections()).isEqualTo(1);
		assertThat(ConnectionSlot.held(first)).isTrue();
		first.close();
		assertThat(this.limits.connections()).isZero();
		assertThat(ConnectionSlot.held(first)).isFalse();
	}

	@Test
	void aSocketBeyondTheMaximumIsKeptForItsRefusalWithoutASlotAndCounted() {
		EmbeddedChannel first = accept();
		EmbeddedChannel second = accept();
		EmbeddedChannel third = accept();
		assertThat(third.isOpen()).as("kept to be told CONNACK 3").isTrue();
		assertThat(ConnectionSlot.held(third)).isFalse();
		assertThat(this.limits.connections()).isEqualTo(2);
		assertThat(this.limits.refusals(Limit.CONNECTIONS)).isEqualTo(1);
		assertThat(this.limits.refusedConnections()).isEqualTo(1);
		// Its closing frees no slot: it held none.
		third.close();
		assertThat(this.limits.connections()).isEqualTo(2);
		second.close();
		EmbeddedChannel fourth = accept();
		assertThat(ConnectionSlot.held(fourth)).isTrue();
		first.close();
		fourth.close();
		assertThat(this.limits.connections()).isZero();
	}

	@Test
	void beyondTheRoomForRefusalsSocketsAreClosedAtOnce() {
		List<EmbeddedChannel> open = new ArrayList<>();
		open.add(accept());
		open.add(accept());
		for (int i = 0; i < BrokerLimits.REFUSAL_ROOM; i++) {
			open.add(accept());
		}
		assertThat(open).allMatch(EmbeddedChannel::isOpen);
		EmbeddedChannel oneTooMany = accept();
		assertThat(oneTooMany.isOpen()).isFalse();
		assertThat(this.limits.refusals(Limit.CONNECTIONS)).isEqualTo(BrokerLimits.REFUSAL_ROOM + 1);
		// Room again once one of them is gone.
		open.remove(open.size() - 1).close();
		EmbeddedChannel kept = accept();
		assertThat(kept.isOpen()).isTrue();
		kept.close();
		open.forEach(EmbeddedChannel::close);
		assertThat(this.limits.connections()).isZero();
		assertThat(this.limits.tryWaitForRefusal()).as("all room given back").isTrue();
	}

}

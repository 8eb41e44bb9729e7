package com.mqtthub.bridge;

import java.util.List;

import com.mqtthub.bridge.BridgesProperties.Failover;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AddressRotationTest {

	private static final List<String> ADDRESSES = List.of("tcp://a:1", "tcp://b:1", "tcp://c:1");

	@Test
	void inOrderAlwaysStartsAtTheFirst() {
		AddressRotation rotation = new AddressRotation(ADDRESSES, Failover.IN_ORDER);
		assertThat(rotation.next()).isEqualTo(ADDRESSES);
		rotation.connected("tcp://b:1");
		assertThat(rotation.next()).isEqualTo(ADDRESSES);
		rotation.failed();
		assertThat(rotation.next()).isEqualTo(ADDRESSES);
	}

	@Test
	void roundRobinStartsAfterTheAddressUsedLast() {
		AddressRotation rotation = new AddressRotation(ADDRESSES, Failover.ROUND_ROBIN);
		assertThat(rotation.next()).containsExactly("tcp://a:1", "tcp://b:1", "tcp://c:1");
		rotation.connected("tcp://a:1");
		assertThat(rotation.next()).containsExactly("tcp://b:1", "tcp://c:1", "tcp://a:1");
		// b was down: the client went on to c.
		rotation.connected("tcp://c:1");
		assertThat(rotation.next()).containsExactly("tcp://a:1", "tcp://b:1", "tcp://c:1");
	}

	@Test
	void roundRobinMovesOnAfterAnAttemptThatReachedNone() {
		AddressRotation rotation = new AddressRotation(ADDRESSES, Failover.ROUND_ROBIN);
		rotation.failed();
		assertThat(rotation.next()).containsExactly("tcp://b:1", "tcp://c:1", "tcp://a:1");
		rotation.failed();
		rotation.failed();
		assertThat(rotation.next()).isEqualTo(ADDRESSES);
	}

	@Test
	void anAddressNotInTheListChangesNothing() {
		AddressRotation rotation = new AddressRotation(ADDRESSES, Failover.ROUND_ROBIN);
		rotation.connected("tcp://elsewhere:1");
		assertThat(rotation.next()).isEqualTo(ADDRESSES);
	}

	@Test
	void oneAddressIsAlwaysThatOne() {
		AddressRotation rotation = new AddressRotation(List.of("tcp://a:1"), Failover.ROUND_ROBIN);
		rotation.connected("tcp://a:1");
		assertThat(rotation.next()).containsExactly("tcp://a:1");
		rotation.failed();
		assertThat(rotation.next()).containsExactly("tcp://a:1");
	}

}

package com.mqtthub.broker;

import java.util.Map;
import java.util.Set;

import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionOwnersTest {

	/** The broker's store, in memory: the owners live in one of its maps. */
	private final Map<String, String> stored = new MVStore.Builder().open().openMap("owners");

	@Test
	void aSessionBelongsToTheUserWhoCreatedIt() {
		SessionOwners owners = new SessionOwners(this.stored, Set.of());
		Object first = new Object();
		assertThat(owners.claim("device", "alice", first)).isTrue();
		assertThat(owners.claim("device", "bob", new Object())).isFalse();
		assertThat(owners.claim("device", null, new Object())).isFalse();
		assertThat(owners.claim("device", "alice", new Object())).as("the owner again").isTrue();
		assertThat(owners.ownerOf("device")).isEqualTo("alice");
	}

	@Test
	void aCleanSessionIsFreeOnceItsLastConnectionEnds() {
		SessionOwners owners = new SessionOwners(this.stored, Set.of());
		Object first = new Object();
		Object second = new Object();
		owners.claim("phone", "alice", first);
		owners.claim("phone", "alice", second);
		// The first connection, taken over, ends after the second began: the session lives on.
		owners.released("phone", true, first);
		assertThat(owners.ownerOf("phone")).isEqualTo("alice");
		owners.released("phone", true, second);
		assertThat(owners.ownerOf("phone")).isNull();
		assertThat(owners.claim("phone", "bob", new Object())).isTrue();
	}

	@Test
	void aPersistentSessionKeepsItsOwnerAcrossConnectionsAndRestarts() {
		SessionOwners owners = new SessionOwners(this.stored, Set.of());
		Object connection = new Object();
		owners.claim("sensor", null, connection);
		owners.claim("crashed-clean", "carol", new Object());
		owners.released("sensor", false, connection);

		// After a crash: only sessions the broker still has keep their owner.
		SessionOwners restarted = new SessionOwners(this.stored, Set.of("sensor"));
		assertThat(restarted.ownerOf("sensor")).isEqualTo(SessionOwners.ANONYMOUS);
		assertThat(restarted.ownerOf("crashed-clean")).isNull();
		assertThat(restarted.claim("sensor", "mallory", new Object())).isFalse();
	}

}

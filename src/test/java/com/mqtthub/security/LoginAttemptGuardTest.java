package com.mqtthub.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoginAttemptGuardTest {

	private Instant now = Instant.parse("2026-01-01T00:00:00Z");

	private final HubSecurityProperties.Lockout settings = new HubSecurityProperties.Lockout();

	private final LoginAttemptGuard guard = new LoginAttemptGuard(this.settings, new Clock() {
		@Override
		public Instant instant() {
			return LoginAttemptGuardTest.this.now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}
	});

	LoginAttemptGuardTest() {
		this.settings.setMaxFailures(3);
		this.settings.setDelay(Duration.ofSeconds(2));
		this.settings.setMaxDelay(Duration.ofSeconds(10));
		this.settings.setMaxFailuresPerAddress(50);
	}

	private void fail(String user, String address, int times) {
		for (int i = 0; i < times; i++) {
			this.guard.recordFailure(user, address, "test");
		}
	}

	private void advance(Duration duration) {
		this.now = this.now.plus(duration);
	}

	@Test
	void aStrangerCannotLockAUserOutOfAnotherAddress() {
		fail("admin", "10.0.0.66", 3);
		assertThat(this.guard.isLockedOut("admin", "10.0.0.66")).isTrue();
		assertThat(this.guard.isLockedOut("admin", "10.0.0.1")).isFalse();
		assertThat(this.guard.isLockedOut("alice", "10.0.0.66")).isFalse();
	}

	@Test
	void waitsGrowWithEachFurtherFailureUpToTheLongest() {
		fail("admin", "10.0.0.66", 3);
		assertThat(waitNow()).isEqualTo(Duration.ofSeconds(2));
		advance(Duration.ofSeconds(2));
		assertThat(this.guard.isLockedOut("admin", "10.0.0.66")).isFalse();
		fail("admin", "10.0.0.66", 1);
		assertThat(waitNow()).isEqualTo(Duration.ofSeconds(4));
		advance(Duration.ofSeconds(4));
		fail("admin", "10.0.0.66", 1);
		assertThat(waitNow()).isEqualTo(Duration.ofSeconds(8));
		advance(Duration.ofSeconds(8));
		fail("admin", "10.0.0.66", 1);
		assertThat(waitNow()).isEqualTo(Duration.ofSeconds(10));
		// Attempts during a wait neither count nor make it longer.
		fail("admin", "10.0.0.66", 5);
		assertThat(waitNow()).isEqualTo(Duration.ofSeconds(10));
	}

	private Duration waitNow() {
		return this.guard.lockouts()
			.stream()
			.filter((l) -> "admin".equals(l.username()))
			.map((l) -> Duration.between(this.now, l.lockedUntil()))
			.findFirst()
			.orElse(Duration.ZERO);
	}

	@Test
	void aSuccessForgetsThePairsFailures() {
		fail("alice", "10.0.0.5", 2);
		this.guard.recordSuccess("alice", "10.0.0.5");
		fail("alice", "10.0.0.5", 2);
		assertThat(this.guard.isLockedOut("alice", "10.0.0.5")).isFalse();
	}

	@Test
	void anAddressThatTriesManyNamesIsLockedOutForAllOfThem() {
		this.settings.setMaxFailuresPerAddress(5);
		for (int i = 0; i < 5; i++) {
			fail("user" + i, "10.0.0.9", 1);
		}
		assertThat(this.guard.isLockedOut("someone-else", "10.0.0.9")).isTrue();
		assertThat(this.guard.isLockedOut("someone-else", "10.0.0.10")).isFalse();
		assertThat(this.guard.lockouts()).anySatisfy((l) -> {
			assertThat(l.username()).isNull();
			assertThat(l.address()).isEqualTo("10.0.0.9");
			assertThat(l.failures()).isEqualTo(5);
		});
	}

	@Test
	void anAdministratorClearsOneOrAll() {
		fail("admin", "10.0.0.66", 3);
		fail("admin", "10.0.0.67", 3);
		fail("bob", "10.0.0.66", 3);
		assertThat(this.guard.lockouts()).hasSize(3);
		this.guard.clear("admin", "10.0.0.66");
		assertThat(this.guard.isLockedOut("admin", "10.0.0.66")).isFalse();
		assertThat(this.guard.isLockedOut("admin", "10.0.0.67")).isTrue();
		this.guard.clear("admin", null);
		assertThat(this.guard.isLockedOut("admin", "10.0.0.67")).isFalse();
		assertThat(this.guard.isLockedOut("bob", "10.0.0.66")).isTrue();
		this.guard.clear(null, null);
		assertThat(this.guard.lockouts()).isEmpty();
	}

	@Test
	void switchedOffItLocksNothing() {
		this.settings.setEnabled(false);
		fail("admin", "10.0.0.66", 10);
		assertThat(this.guard.isLockedOut("admin", "10.0.0.66")).isFalse();
	}

}

package com.mqtthub.security;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VerifiedCredentialsTest {

	private final AtomicLong now = new AtomicLong();

	private final VerifiedCredentials verified = new VerifiedCredentials(Duration.ofSeconds(60), 3, this.now::get);

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void remembersTheExactPairForItsLifetimeOnly() {
		this.verified.remember("alice", bytes("alice-password"), this.verified.generation());
		assertThat(this.verified.contains("alice", bytes("alice-password"))).isTrue();
		assertThat(this.verified.contains("alice", bytes("alice-passwort"))).isFalse();
		assertThat(this.verified.contains("bob", bytes("alice-password"))).isFalse();
		// Same bytes, split differently between name and password.
		assertThat(this.verified.contains("alic", bytes("ealice-password"))).isFalse();
		this.now.addAndGet(Duration.ofSeconds(60).toNanos());
		assertThat(this.verified.contains("alice", bytes("alice-password"))).isFalse();
	}

	@Test
	void keepsNeitherThePasswordNorAPlainHashOfIt() throws Exception {
		this.verified.remember("alice", bytes("alice-password"), this.verified.generation());
		String plainHash = Base64.getEncoder()
			.withoutPadding()
			.encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(bytes("alice-password")));
		assertThat(this.verified.storedKeys()).hasSize(1)
			.allSatisfy((key) -> assertThat(key).doesNotContain("alice-password").isNotEqualTo(plainHash));
		VerifiedCredentials otherProcess = new VerifiedCredentials(Duration.ofSeconds(60), 3, this.now::get);
		otherProcess.remember("alice", bytes("alice-password"), otherProcess.generation());
		assertThat(otherProcess.storedKeys()).doesNotContainAnyElementsOf(this.verified.storedKeys());
	}

	@Test
	void aChangedUserIsForgottenAndACheckFromBeforeTheChangeIsNotRemembered() {
		this.verified.remember("alice", bytes("alice-password"), this.verified.generation());
		this.verified.forget("alice");
		assertThat(this.verified.contains("alice", bytes("alice-password"))).isFalse();

		long before = this.verified.generation();
		this.verified.forget("alice");
		this.verified.remember("alice", bytes("old-password"), before);
		assertThat(this.verified.contains("alice", bytes("old-password"))).isFalse();
	}

	@Test
	void holdsAtMostItsSize() {
		for (int i = 0; i < 10; i++) {
			this.verified.remember("user" + i, bytes("password-" + i), this.verified.generation());
		}
		assertThat(this.verified.size()).isEqualTo(3);
	}

	@Test
	void aZeroLifetimeRemembersNothing() {
		VerifiedCredentials off = new VerifiedCredentials(Duration.ZERO, 3, this.now::get);
		off.remember("alice", bytes("alice-password"), off.generation());
		assertThat(off.contains("alice", bytes("alice-password"))).isFalse();
	}

}

package com.mqtthub.security;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialsCheckerTest {

	private final RecordingEncoder encoder = new RecordingEncoder();

	private final CredentialsChecker checker = new CredentialsChecker(new NoUsers(),
			this.encoder, new LoginAttemptGuard(new HubSecurityProperties.Lockout(), Clock.systemUTC()));

	@Test
	void makesNoHashBeforeTheFirstCheck() {
		assertThat(this.encoder.encoded).isZero();
		assertThat(this.encoder.verifiedAgainst).isEmpty();
	}

	@Test
	void anUnknownUserCostsABcryptVerificationAgainstOneDecoyHashMadeOnce() {
		assertThat(this.checker.check("nobody", "some password", "127.0.0.1", "MQTT")).isEmpty();
		assertThat(this.checker.check("nobody-else", "other password", "127.0.0.1", "MQTT")).isEmpty();

		assertThat(this.encoder.encoded).isEqualTo(1);
		assertThat(this.encoder.verifiedAgainst).hasSize(2);
		assertThat(this.encoder.verifiedAgainst.get(0)).startsWith("{bcrypt}$2a$10$")
			.isEqualTo(this.encoder.verifiedAgainst.get(1));
	}

	/** A user database without users. */
	private static final class NoUsers extends UserRepository {

		NoUsers() {
			super(null);
		}

		@Override
		Optional<HubUser> find(String username) {
			return Optional.empty();
		}

	}

	/** The hub's encoder, counting hashes made and recording the hashes verified against. */
	private static final class RecordingEncoder implements PasswordEncoder {

		private final PasswordEncoder delegate = PasswordEncoderFactories.createDelegatingPasswordEncoder();

		int encoded;

		final List<String> verifiedAgainst = new ArrayList<>();

		@Override
		public String encode(CharSequence rawPassword) {
			this.encoded++;
			return this.delegate.encode(rawPassword);
		}

		@Override
		public boolean matches(CharSequence rawPassword, String encodedPassword) {
			this.verifiedAgainst.add(encodedPassword);
			return this.delegate.matches(rawPassword, encodedPassword);
		}

	}

}

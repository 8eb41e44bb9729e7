package com.mqtthub.security;

import java.util.Optional;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Checks a user name and password against the user database, for the web login and MQTT CONNECT
 * alike, with the lock-out in front (which also answers {@link #isLockedOut} without a hash). Every refusal looks the same from outside: wrong password,
 * unknown user, disabled user and lock-out cannot be told apart.
 */
@Component
public class CredentialsChecker {

	/**
	 * Verified against when the user does not exist, so that both cases take as long. Made on the
	 * first check rather than at start-up (a bcrypt hash is a noticeable part of a start); that first
	 * check then takes longer, never shorter, than the next ones.
	 */
	private volatile String decoyHash;

	private final UserRepository users;

	private final PasswordEncoder passwordEncoder;

	private final LoginAttemptGuard guard;

	CredentialsChecker(UserRepository users, PasswordEncoder passwordEncoder, LoginAttemptGuard guard) {
		this.users = users;
		this.passwordEncoder = passwordEncoder;
		this.guard = guard;
	}

	private String decoyHash() {
		String hash = this.decoyHash;
		if (hash == null) {
			synchronized (this) {
				hash = this.decoyHash;
				if (hash == null) {
					hash = this.passwordEncoder.encode("decoy-" + System.nanoTime());
					this.decoyHash = hash;
				}
			}
		}
		return hash;
	}

	/** Whether logins for this user name from this address are refused now, whatever the password. */
	public boolean isLockedOut(String username, String remoteAddress) {
		return this.guard.isLockedOut(username, remoteAddress);
	}

	/**
	 * @param remoteAddress the client's address, or {@code null} when not known
	 * @param channel what the login came through, for the lock-out log line ("web", "MQTT")
	 * @return the user when the credentials are valid, the user is enabled and not locked out
	 */
	public Optional<UserSummary> check(String username, String password, String remoteAddress, String channel) {
		if (username == null || password == null) {
			return Optional.empty();
		}
		if (this.guard.isLockedOut(username, remoteAddress)) {
			return Optional.empty();
		}
		Optional<HubUser> user = this.users.find(username);
		boolean matches = this.passwordEncoder.matches(password,
				user.isPresent() ? user.get().passwordHash() : decoyHash());
		if (user.isPresent() && matches && user.get().enabled()) {
			this.guard.recordSuccess(username, remoteAddress);
			return user.map(HubUser::summary);
		}
		this.guard.recordFailure(username, remoteAddress, channel);
		return Optional.empty();
	}

}

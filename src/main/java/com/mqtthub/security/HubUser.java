package com.mqtthub.security;

import java.time.Instant;

/**
 * A user as stored. The password hash stays inside the security package: nothing that leaves the
 * application (pages, API answers, logs) is built from this type directly.
 */
record HubUser(long id, String username, String passwordHash, Role role, boolean enabled, Instant createdAt) {

	UserSummary summary() {
		return new UserSummary(this.username, this.role, this.enabled, this.createdAt);
	}

	@Override
	public String toString() {
		return "HubUser[" + this.username + ", " + this.role + (this.enabled ? "" : ", disabled") + "]";
	}

}

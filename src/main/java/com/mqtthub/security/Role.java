package com.mqtthub.security;

/**
 * What a user may do in the hub.
 */
public enum Role {

	/** Everything: the console, the admin pages and API, and every topic unless a rule denies it. */
	ADMIN,

	/** The console, and the topics that rules allow. */
	USER;

	/** The Spring Security authority of this role. */
	public String authority() {
		return "ROLE_" + name();
	}

}

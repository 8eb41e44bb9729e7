package com.mqtthub.security;

/**
 * An operation named a user that does not exist.
 */
public class NoSuchUserException extends RuntimeException {

	public NoSuchUserException(String username) {
		super("No user named '" + username + "'");
	}

}

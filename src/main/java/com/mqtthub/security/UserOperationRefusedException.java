package com.mqtthub.security;

/**
 * A user operation that would break a rule of the hub, such as leaving it without an enabled
 * administrator, or creating a user whose name is taken.
 */
public class UserOperationRefusedException extends RuntimeException {

	public UserOperationRefusedException(String message) {
		super(message);
	}

}

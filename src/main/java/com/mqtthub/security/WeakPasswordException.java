package com.mqtthub.security;

/**
 * A password that the {@link PasswordPolicy} refuses.
 */
public class WeakPasswordException extends UserOperationRefusedException {

	WeakPasswordException(String message) {
		super(message);
	}

}

package com.mqtthub.admin;

import com.mqtthub.security.PasswordPolicy;
import com.mqtthub.security.UserService;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Request bodies of the user API. Role and other choices are plain strings checked by pattern,
 * so that a wrong value gets a clear field error rather than a parse failure.
 */
final class UserRequests {

	static final String ROLE = "ADMIN|USER";

	static final String ROLE_MESSAGE = "must be ADMIN or USER";

	static final String USERNAME_MESSAGE = "must have 1 to 64 letters, digits, '.', '_', '@' or '-'";

	static final String PASSWORD_MESSAGE = "must have 10 to 72 characters";

	private UserRequests() {
	}

	record Create(@NotBlank @Pattern(regexp = UserService.USERNAME_PATTERN, message = USERNAME_MESSAGE) String username,
			@NotNull @Size(min = PasswordPolicy.MIN_LENGTH, max = 72, message = PASSWORD_MESSAGE) String password,
			@NotNull @Pattern(regexp = ROLE, message = ROLE_MESSAGE) String role, Boolean enabled) {

		@Override
		public String toString() {
			return "Create[" + this.username + "]";
		}

	}

	record Update(@NotNull @Pattern(regexp = ROLE, message = ROLE_MESSAGE) String role, @NotNull Boolean enabled) {

	}

	record ChangePassword(@NotNull @Size(min = PasswordPolicy.MIN_LENGTH, max = 72, message = PASSWORD_MESSAGE) String password) {

		@Override
		public String toString() {
			return "ChangePassword[]";
		}

	}

}

package com.mqtthub.admin;

import com.mqtthub.acl.AclRule;
import com.mqtthub.security.UserService;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Request bodies of the topic rule API.
 */
final class RuleRequests {

	private RuleRequests() {
	}

	record Create(@Pattern(regexp = UserService.USERNAME_PATTERN, message = UserRequests.USERNAME_MESSAGE) String username,
			@Pattern(regexp = "ADMIN|USER|" + AclRule.ANONYMOUS, message = "must be ADMIN, USER or ANONYMOUS") String role,
			@NotBlank @Size(max = 512) String topic,
			@NotNull @Pattern(regexp = "subscribe|publish|both", message = "must be subscribe, publish or both") String access,
			@NotNull @Pattern(regexp = "allow|deny", message = "must be allow or deny") String permission,
			Integer position) {

		@AssertTrue(message = "give either a username or a role, not both")
		boolean isForOneSubject() {
			return (this.username == null) != (this.role == null);
		}

	}

	record Check(@NotBlank String username, String clientId, @NotBlank String topic,
			@NotNull @Pattern(regexp = "subscribe|publish", message = "must be subscribe or publish") String action) {

	}

}

package com.mqtthub.admin;

import java.time.Instant;

import com.mqtthub.acl.AccessDecision;
import com.mqtthub.acl.AclRule;
import com.mqtthub.security.UserSummary;

/**
 * What the API answers: built field by field, so nothing secret can slip in.
 */
final class ApiViews {

	private ApiViews() {
	}

	record User(String username, String role, boolean enabled, Instant createdAt) {

		static User of(UserSummary user) {
			return new User(user.username(), user.role().name(), user.enabled(), user.createdAt());
		}

	}

	record Rule(long id, String username, String role, String topic, String access, String permission,
			int position) {

		static Rule of(AclRule rule) {
			return new Rule(rule.id(), rule.username(), rule.role(), rule.topicPattern(), rule.access().value(),
					rule.permission().value(), rule.position());
		}

	}

	record Decision(boolean allowed, Rule rule, String reason) {

		static Decision of(AccessDecision decision) {
			return new Decision(decision.allowed(), (decision.rule() != null) ? Rule.of(decision.rule()) : null,
					decision.reason());
		}

	}

}

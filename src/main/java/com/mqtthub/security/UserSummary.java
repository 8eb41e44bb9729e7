package com.mqtthub.security;

import java.time.Instant;

/**
 * What may be shown about a user: never the password or its hash.
 */
public record UserSummary(String username, Role role, boolean enabled, Instant createdAt) {

}

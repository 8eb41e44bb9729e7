package com.mqtthub.security;

/**
 * A user was created, changed or deleted; caches built from users must be rebuilt.
 *
 * @param revokesAccess whether the change takes something away (disabled, demoted from
 * administrator, deleted, password changed): what was granted before must end
 */
public record UsersChangedEvent(String username, boolean revokesAccess) {

}

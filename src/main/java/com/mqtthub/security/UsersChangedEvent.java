package com.mqtthub.security;

/**
 * A user was created, changed or deleted; caches built from users must be rebuilt.
 */
public record UsersChangedEvent(String username) {

}

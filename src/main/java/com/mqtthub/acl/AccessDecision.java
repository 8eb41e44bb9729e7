package com.mqtthub.acl;

/**
 * The answer of the topic rules to one question, and why.
 *
 * @param rule the rule that decided, or {@code null} when the default did
 * @param reason what decided, in words
 */
public record AccessDecision(boolean allowed, AclRule rule, String reason) {

}

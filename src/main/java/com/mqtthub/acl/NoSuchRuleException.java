package com.mqtthub.acl;

/**
 * An operation named a topic rule that does not exist.
 */
public class NoSuchRuleException extends RuntimeException {

	public NoSuchRuleException(long id) {
		super("No topic rule #" + id);
	}

}

package com.mqtthub.acl;

import java.util.Locale;

/**
 * What a matching rule decides.
 */
public enum Permission {

	ALLOW, DENY;

	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}

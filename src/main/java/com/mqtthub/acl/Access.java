package com.mqtthub.acl;

import java.util.Locale;

/**
 * Which actions a rule is about.
 */
public enum Access {

	SUBSCRIBE, PUBLISH, BOTH;

	boolean covers(Action action) {
		return this == BOTH || name().equals(action.name());
	}

	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}

package com.mqtthub.security;

/**
 * Makes text that comes from clients safe to put in a log line: no line breaks or other control
 * characters that could forge entries, and a bounded length.
 */
public final class LogSafe {

	private static final int MAX_LENGTH = 128;

	private LogSafe() {
	}

	public static String text(String value) {
		if (value == null) {
			return "";
		}
		StringBuilder safe = new StringBuilder(Math.min(value.length(), MAX_LENGTH));
		for (int i = 0; i < value.length() && safe.length() < MAX_LENGTH; i++) {
			char c = value.charAt(i);
			safe.append(Character.isISOControl(c) ? '?' : c);
		}
		return (value.length() > MAX_LENGTH) ? safe + "..." : safe.toString();
	}

}

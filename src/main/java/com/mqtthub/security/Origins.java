package com.mqtthub.security;

import java.net.URI;
import java.util.Locale;

/**
 * Compares the {@code Origin} of a WebSocket handshake with the host the request was sent to, for
 * the checks that keep pages of other sites from using a visitor's browser to reach the broker.
 */
public final class Origins {

	private Origins() {
	}

	/**
	 * Whether {@code origin} names the host (and port, when both name one) of {@code hostHeader},
	 * whatever the scheme. A port is compared only when both give it explicitly: behind a TLS proxy
	 * the page's origin implies 443 while the request the hub sees may imply 80.
	 */
	public static boolean sameSite(String origin, String hostHeader) {
		URI[] both = parse(origin, hostHeader);
		if (both == null) {
			return false;
		}
		int originPort = both[0].getPort();
		int requestPort = both[1].getPort();
		return originPort < 0 || requestPort < 0 || originPort == requestPort;
	}

	/**
	 * Whether {@code origin} names the host of {@code hostHeader}, whatever the scheme and port: for
	 * a listener on another port of the same machine as the pages (the web port).
	 */
	public static boolean sameHost(String origin, String hostHeader) {
		return parse(origin, hostHeader) != null;
	}

	/** Whether {@code origin} is one of {@code allowed} (exact origins, any case), or {@code allowed} holds "*". */
	public static boolean isListed(String origin, Iterable<String> allowed) {
		String given = normalized(origin);
		for (String entry : allowed) {
			String listed = normalized(entry);
			if ("*".equals(listed) || listed.equals(given)) {
				return true;
			}
		}
		return false;
	}

	private static String normalized(String origin) {
		String trimmed = origin.trim().toLowerCase(Locale.ROOT);
		return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
	}

	/** The origin and the request's host as URIs when both parse and name the same host; else null. */
	private static URI[] parse(String origin, String hostHeader) {
		if (origin == null || hostHeader == null || hostHeader.isBlank()) {
			return null;
		}
		URI originUri;
		URI hostUri;
		try {
			originUri = URI.create(origin.trim());
			hostUri = URI.create("http://" + hostHeader.trim());
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		String originHost = originUri.getHost();
		String requestHost = hostUri.getHost();
		if (originHost == null || requestHost == null
				|| !originHost.toLowerCase(Locale.ROOT).equals(requestHost.toLowerCase(Locale.ROOT))) {
			return null;
		}
		return new URI[] { originUri, hostUri };
	}

}

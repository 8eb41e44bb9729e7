package com.mqtthub.bridge;

import java.util.List;

import com.mqtthub.bridge.BridgesProperties.Bridge;

/**
 * A bridge as the admin API shows it: its settings without the passwords (only whether one is
 * set and where it comes from), its state and its figures, and its {@code definition} as the
 * API takes it back (passwords left out).
 *
 * @param truststorePassword "set" or "none", so that a form can say an empty field keeps it
 * @param keystorePassword "set" or "none", likewise
 */
record BridgeView(String name, boolean enabled, boolean paused, BridgeState state, String lastError,
		String connectedAddress, List<String> addresses, String clientId, String username, String password,
		String truststorePassword, String keystorePassword, boolean cleanSession, long keepAliveSeconds, int inFlightWindow, List<Rule> topics, Figures figures,
		String source, BridgeRequest definition) {

	record Rule(String filter, String direction, int qos, String localPrefix, String remotePrefix) {
	}

	record Figures(long enqueued, long forwarded, long dropped, int inFlight, long received, long queueMessages,
			long queueBytes, double oldestAgeSeconds, long connectAttempts) {
	}

	/**
	 * @param source where the definition lives: {@code "configuration"} (read-only here) or
	 * {@code "database"}
	 */
	static BridgeView of(BridgeLink link, BridgeService.Source source) {
		Bridge definition = link.definition();
		BridgeQueue queue = link.queue();
		Figures figures = new Figures((queue != null) ? queue.enqueued() : 0, link.forwarded(),
				(queue != null) ? queue.dropped() : 0, link.inFlight(), link.received(),
				(queue != null) ? queue.size() : 0, (queue != null) ? queue.bytes() : 0,
				(queue != null) ? queue.oldestAgeSeconds(System.currentTimeMillis()) : 0, link.attempts());
		List<Rule> rules = link.mappings()
			.stream()
			.map((m) -> new Rule(m.filter(), m.direction().name().toLowerCase(java.util.Locale.ROOT), m.qos(),
					m.localPrefix(), m.remotePrefix()))
			.toList();
		return new BridgeView(link.name(), definition.isEnabled(), link.paused(), link.state(), link.lastError(),
				link.connectedAddress(), List.copyOf(definition.getAddresses()), definition.effectiveClientId(),
				definition.getUsername(), passwordSource(definition),
				isSet(definition.getTls().getTruststorePassword()), isSet(definition.getTls().getKeystorePassword()),
				definition.isCleanSession(),
				definition.getKeepAlive().toSeconds(), definition.getInFlight(), rules, figures,
				source.name().toLowerCase(java.util.Locale.ROOT), BridgeRequest.of(definition));
	}

	private static String isSet(String secret) {
		return (secret != null) ? "set" : "none";
	}

	/** "none", "set" or "env:NAME": never the password itself. */
	private static String passwordSource(Bridge definition) {
		if (definition.getPasswordEnv() != null) {
			return "env:" + definition.getPasswordEnv();
		}
		return (definition.getPassword() != null) ? "set" : "none";
	}

}

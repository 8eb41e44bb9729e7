package com.mqtthub.bridge;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import com.mqtthub.acl.TopicFilters;
import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.TopicRule;

/**
 * Checks bridge definitions as a whole, with one sentence per problem naming the setting, so
 * that a mistake stops start-up instead of surfacing later as a bridge that never works.
 */
final class BridgeDefinitions {

	static final int MAX_BRIDGES = 32;

	static final int MAX_ADDRESSES = 10;

	static final int MAX_TOPIC_RULES = 100;

	static final int MAX_TOPIC_LENGTH = 1024;

	static final int MAX_IN_FLIGHT = 1000;

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	private static final Pattern ENVIRONMENT_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

	private static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");

	private BridgeDefinitions() {
	}

	/** Every problem found, empty when the definitions are usable. */
	static List<String> problems(List<Bridge> bridges, UnaryOperator<String> environment) {
		List<String> problems = new ArrayList<>();
		if (bridges.size() > MAX_BRIDGES) {
			problems.add("mqtthub.bridges: at most " + MAX_BRIDGES + " bridges");
			return problems;
		}
		Set<String> names = new HashSet<>();
		for (int i = 0; i < bridges.size(); i++) {
			Bridge bridge = bridges.get(i);
			String at = "mqtthub.bridges[" + i + "]";
			if (bridge.getName() == null || !NAME.matcher(bridge.getName()).matches()) {
				problems.add(at + ".name: 1 to 64 letters, digits, '-' or '_'");
			}
			else if (!names.add(bridge.getName())) {
				problems.add(at + ".name: '" + bridge.getName() + "' is used by another bridge");
			}
			checkAddresses(bridge, at, problems);
			checkConnection(bridge, at, environment, problems);
			checkTopics(bridge.getTopics(), at, problems);
		}
		return problems;
	}

	private static void checkAddresses(Bridge bridge, String at, List<String> problems) {
		List<String> addresses = bridge.getAddresses();
		if (addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
			problems.add(at + ".addresses: 1 to " + MAX_ADDRESSES + " remote addresses");
			return;
		}
		for (int j = 0; j < addresses.size(); j++) {
			String address = addresses.get(j);
			String where = at + ".addresses[" + j + "]";
			try {
				URI uri = new URI(address);
				if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme()) || uri.getHost() == null
						|| uri.getPort() < 1 || address.length() > 2048) {
					problems.add(where + ": tcp://, ssl://, ws:// or wss:// with a host and a port");
				}
			}
			catch (URISyntaxException | NullPointerException ex) {
				problems.add(where + ": not an address (tcp://host:port, ssl://, ws://host:port/path, wss://)");
			}
		}
	}

	private static void checkConnection(Bridge bridge, String at, UnaryOperator<String> environment,
			List<String> problems) {
		String clientId = bridge.effectiveClientId();
		if (clientId.length() > 128 || hasControl(clientId)) {
			problems.add(at + ".client-id: at most 128 characters, no control characters");
		}
		if (bridge.getUsername() != null && (bridge.getUsername().length() > 256 || hasControl(bridge.getUsername()))) {
			problems.add(at + ".username: at most 256 characters, no control characters");
		}
		if (bridge.getPassword() != null && bridge.getPasswordEnv() != null) {
			problems.add(at + ": set password or password-env, not both");
		}
		if (bridge.getPasswordEnv() != null) {
			if (!ENVIRONMENT_VARIABLE.matcher(bridge.getPasswordEnv()).matches()) {
				problems.add(at + ".password-env: the name of an environment variable");
			}
			else if (environment.apply(bridge.getPasswordEnv()) == null) {
				problems.add(at + ".password-env: the environment variable " + bridge.getPasswordEnv() + " is not set");
			}
		}
		if (!within(bridge.getKeepAlive(), Duration.ZERO, Duration.ofSeconds(65535))) {
			problems.add(at + ".keep-alive: 0s to 65535s");
		}
		if (!within(bridge.getConnectTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(5))) {
			problems.add(at + ".connect-timeout: 1s to 5m");
		}
		if (bridge.getInFlight() < 1 || bridge.getInFlight() > MAX_IN_FLIGHT) {
			problems.add(at + ".in-flight: 1 to " + MAX_IN_FLIGHT);
		}
		if (bridge.getQueue().getMaxBytes() == null || bridge.getQueue().getMaxBytes().toBytes() < 1024) {
			problems.add(at + ".queue.max-bytes: at least 1KB");
		}
		if (bridge.getQueue().getMaxMessages() < 1) {
			problems.add(at + ".queue.max-messages: at least 1");
		}
		Duration initial = bridge.getReconnect().getInitialDelay();
		Duration max = bridge.getReconnect().getMaxDelay();
		if (!within(initial, Duration.ofMillis(100), Duration.ofHours(1)) || !within(max, initial, Duration.ofHours(1))) {
			problems.add(at + ".reconnect: initial-delay 100ms to 1h, max-delay from initial-delay to 1h");
		}
		if (bridge.getTls().getTruststore() != null && !Files.isReadable(bridge.getTls().getTruststore())) {
			problems.add(at + ".tls.truststore: cannot read " + bridge.getTls().getTruststore());
		}
	}

	private static void checkTopics(List<TopicRule> topics, String at, List<String> problems) {
		if (topics.isEmpty() || topics.size() > MAX_TOPIC_RULES) {
			problems.add(at + ".topics: 1 to " + MAX_TOPIC_RULES + " topic rules");
			return;
		}
		for (int k = 0; k < topics.size(); k++) {
			TopicRule rule = topics.get(k);
			String where = at + ".topics[" + k + "]";
			if (rule.getFilter() == null || rule.getFilter().length() > MAX_TOPIC_LENGTH
					|| !TopicFilters.isValidFilter(rule.getFilter())) {
				problems.add(where + ".filter: a topic filter of at most " + MAX_TOPIC_LENGTH + " characters");
			}
			if (rule.getDirection() == null) {
				problems.add(where + ".direction: out, in or both");
			}
			if (rule.getQos() < 0 || rule.getQos() > 2) {
				problems.add(where + ".qos: 0, 1 or 2");
			}
			if (!isPrefix(rule.getLocalPrefix())) {
				problems.add(where + ".local-prefix: at most " + MAX_TOPIC_LENGTH + " characters, no wildcards");
			}
			if (!isPrefix(rule.getRemotePrefix())) {
				problems.add(where + ".remote-prefix: at most " + MAX_TOPIC_LENGTH + " characters, no wildcards");
			}
		}
	}

	private static boolean isPrefix(String prefix) {
		return prefix.length() <= MAX_TOPIC_LENGTH && prefix.indexOf('#') < 0 && prefix.indexOf('+') < 0
				&& prefix.indexOf('\u0000') < 0;
	}

	private static boolean within(Duration value, Duration min, Duration max) {
		return value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
	}

	private static boolean hasControl(String value) {
		return value.chars().anyMatch(Character::isISOControl);
	}

}

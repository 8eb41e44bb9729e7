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
 * Checks bridge definitions, with one sentence per problem naming the setting, so that a
 * mistake stops start-up (configuration) or the request (admin API) instead of surfacing later
 * as a bridge that never works. The one place where a definition's rules live.
 */
final class BridgeDefinitions {

	static final int MAX_BRIDGES = 32;

	static final int MAX_ADDRESSES = 10;

	static final int MAX_TOPIC_RULES = 100;

	static final int MAX_TOPIC_LENGTH = 1024;

	static final int MAX_IN_FLIGHT = 1000;

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

	private static final Pattern ENVIRONMENT_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

	private static final Pattern TRUSTSTORE_TYPE = Pattern.compile("[A-Za-z0-9_-]{1,32}");

	private static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");

	private BridgeDefinitions() {
	}

	/** Most characters of a password (the bridge's or its trust store's). */
	static final int MAX_SECRET_LENGTH = 1024;

	static final int MAX_PATH_LENGTH = 4096;

	/**
	 * One problem of one bridge: the setting as written under {@code mqtthub.bridges[n]}
	 * (kebab-case, empty for the bridge as a whole) and a sentence saying what it must be.
	 */
	record Problem(String field, String message) {

		/** The problem as start-up reports it, e.g. {@code mqtthub.bridges[0].keep-alive: 0s to 65535s}. */
		String setting(String at) {
			return (this.field.isEmpty() ? at : at + "." + this.field) + ": " + this.message;
		}

		/** The same field as the JSON API names it: {@code queue.max-bytes} is {@code queue.maxBytes}. */
		String jsonField() {
			StringBuilder json = new StringBuilder(this.field.length());
			boolean upper = false;
			for (char c : this.field.toCharArray()) {
				if (c == '-') {
					upper = true;
				}
				else {
					json.append(upper ? Character.toUpperCase(c) : c);
					upper = false;
				}
			}
			return json.toString();
		}

	}

	/**
	 * Every problem found in the configuration's bridges, empty when they are usable: the checks
	 * of {@link #check} for each, and names unique among them.
	 */
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
			for (Problem problem : check(bridge, environment)) {
				problems.add(problem.setting(at));
			}
			if (isName(bridge.getName()) && !names.add(bridge.getName())) {
				problems.add(at + ".name: '" + bridge.getName() + "' is used by another bridge");
			}
		}
		return problems;
	}

	/**
	 * The checks every bridge definition passes, from the configuration or from the admin API
	 * alike: one problem per setting that cannot work.
	 */
	static List<Problem> check(Bridge bridge, UnaryOperator<String> environment) {
		List<Problem> problems = new ArrayList<>();
		if (!isName(bridge.getName())) {
			problems.add(new Problem("name", "1 to 64 letters, digits, '-' or '_'"));
		}
		checkAddresses(bridge, problems);
		checkConnection(bridge, environment, problems);
		checkTopics(bridge.getTopics(), problems);
		return problems;
	}

	static boolean isName(String name) {
		return name != null && NAME.matcher(name).matches();
	}

	private static void checkAddresses(Bridge bridge, List<Problem> problems) {
		if (bridge.getFailover() == null) {
			problems.add(new Problem("failover", "in-order or round-robin"));
		}
		List<String> addresses = bridge.getAddresses();
		if (addresses == null || addresses.isEmpty() || addresses.size() > MAX_ADDRESSES) {
			problems.add(new Problem("addresses", "1 to " + MAX_ADDRESSES + " remote addresses"));
			return;
		}
		for (int j = 0; j < addresses.size(); j++) {
			String address = addresses.get(j);
			String where = "addresses[" + j + "]";
			try {
				URI uri = new URI(address);
				if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme()) || uri.getHost() == null
						|| uri.getPort() < 1 || address.length() > 2048) {
					problems.add(new Problem(where, "tcp://, ssl://, ws:// or wss:// with a host and a port"));
				}
			}
			catch (URISyntaxException | NullPointerException ex) {
				problems.add(new Problem(where, "not an address (tcp://host:port, ssl://, ws://host:port/path, wss://)"));
			}
		}
	}

	private static void checkConnection(Bridge bridge, UnaryOperator<String> environment, List<Problem> problems) {
		String clientId = bridge.effectiveClientId();
		if (clientId.length() > 128 || hasControl(clientId)) {
			problems.add(new Problem("client-id", "at most 128 characters, no control characters"));
		}
		String peer = bridge.getPeerClientId();
		if (peer != null && (peer.isEmpty() || peer.length() > 128 || hasControl(peer))) {
			problems.add(new Problem("peer-client-id", "1 to 128 characters, no control characters"));
		}
		if (bridge.getUsername() != null && (bridge.getUsername().length() > 256 || hasControl(bridge.getUsername()))) {
			problems.add(new Problem("username", "at most 256 characters, no control characters"));
		}
		if (bridge.getPassword() != null && bridge.getPassword().length() > MAX_SECRET_LENGTH) {
			problems.add(new Problem("password", "at most " + MAX_SECRET_LENGTH + " characters"));
		}
		if (bridge.getPassword() != null && bridge.getPasswordEnv() != null) {
			problems.add(new Problem("password-env", "set password or password-env, not both"));
		}
		if (bridge.getPasswordEnv() != null) {
			if (!ENVIRONMENT_VARIABLE.matcher(bridge.getPasswordEnv()).matches()) {
				problems.add(new Problem("password-env", "the name of an environment variable"));
			}
			else if (environment.apply(bridge.getPasswordEnv()) == null) {
				problems.add(new Problem("password-env",
						"the environment variable " + bridge.getPasswordEnv() + " is not set"));
			}
		}
		if (!within(bridge.getKeepAlive(), Duration.ZERO, Duration.ofSeconds(65535))) {
			problems.add(new Problem("keep-alive", "0s to 65535s"));
		}
		if (!within(bridge.getConnectTimeout(), Duration.ofSeconds(1), Duration.ofMinutes(5))) {
			problems.add(new Problem("connect-timeout", "1s to 5m"));
		}
		if (bridge.getInFlight() < 1 || bridge.getInFlight() > MAX_IN_FLIGHT) {
			problems.add(new Problem("in-flight", "1 to " + MAX_IN_FLIGHT));
		}
		if (bridge.getQueue().getMaxBytes() == null || bridge.getQueue().getMaxBytes().toBytes() < 1024) {
			problems.add(new Problem("queue.max-bytes", "at least 1KB"));
		}
		if (bridge.getQueue().getMaxMessages() < 1) {
			problems.add(new Problem("queue.max-messages", "at least 1"));
		}
		Duration initial = bridge.getReconnect().getInitialDelay();
		Duration max = bridge.getReconnect().getMaxDelay();
		if (!within(initial, Duration.ofMillis(100), Duration.ofHours(1)) || !within(max, initial, Duration.ofHours(1))) {
			problems.add(new Problem("reconnect", "initial-delay 100ms to 1h, max-delay from initial-delay to 1h"));
		}
		checkTls(bridge, problems);
	}

	private static void checkTls(Bridge bridge, List<Problem> problems) {
		BridgesProperties.Tls tls = bridge.getTls();
		if (tls.getTruststorePassword() != null && tls.getTruststorePassword().length() > MAX_SECRET_LENGTH) {
			problems.add(new Problem("tls.truststore-password", "at most " + MAX_SECRET_LENGTH + " characters"));
		}
		if (tls.getTruststoreType() == null || !TRUSTSTORE_TYPE.matcher(tls.getTruststoreType()).matches()) {
			problems.add(new Problem("tls.truststore-type", "a key store type such as PKCS12 or JKS"));
		}
		if (tls.getKeystorePassword() != null && tls.getKeystorePassword().length() > MAX_SECRET_LENGTH) {
			problems.add(new Problem("tls.keystore-password", "at most " + MAX_SECRET_LENGTH + " characters"));
		}
		if (tls.getKeystoreType() == null || !TRUSTSTORE_TYPE.matcher(tls.getKeystoreType()).matches()) {
			problems.add(new Problem("tls.keystore-type", "a key store type such as PKCS12 or JKS"));
		}
		if (tls.getTruststore() != null && (tls.getTruststore().toString().length() > MAX_PATH_LENGTH
				|| !Files.isReadable(tls.getTruststore()))) {
			problems.add(new Problem("tls.truststore", "cannot read " + tls.getTruststore()));
		}
		if (tls.getKeystore() != null && (tls.getKeystore().toString().length() > MAX_PATH_LENGTH
				|| !Files.isReadable(tls.getKeystore()))) {
			problems.add(new Problem("tls.keystore", "cannot read " + tls.getKeystore()));
		}
		if ((tls.getTruststore() != null || tls.getKeystore() != null) && bridge.getAddresses() != null
				&& bridge.getAddresses().stream().anyMatch(BridgeDefinitions::isPlain)) {
			// The MQTT client takes one socket factory for all addresses, and refuses a TLS one
			// for a plain address: such a bridge would never connect.
			problems.add(new Problem("addresses", "only ssl:// and wss:// addresses when a trust store or key store is set"));
		}
		if ((tls.getTruststore() != null || tls.getKeystore() != null)
				&& problems.stream().noneMatch((p) -> p.field().startsWith("tls."))) {
			try {
				RemoteClients.socketFactory(bridge);
			}
			catch (IllegalStateException ex) {
				boolean keystore = ex.getMessage() != null && ex.getMessage().contains("key store");
				problems.add(keystore
						? new Problem("tls.keystore",
								"cannot use " + tls.getKeystore() + " as a key store (wrong type or password?)")
						: new Problem("tls.truststore",
								"cannot use " + tls.getTruststore() + " as a trust store (wrong type or password?)"));
			}
		}
	}

	private static boolean isPlain(String address) {
		return address != null && (address.regionMatches(true, 0, "tcp://", 0, 6)
				|| address.regionMatches(true, 0, "ws://", 0, 5));
	}

	private static void checkTopics(List<TopicRule> topics, List<Problem> problems) {
		if (topics == null || topics.isEmpty() || topics.size() > MAX_TOPIC_RULES) {
			problems.add(new Problem("topics", "1 to " + MAX_TOPIC_RULES + " topic rules"));
			return;
		}
		for (int k = 0; k < topics.size(); k++) {
			TopicRule rule = topics.get(k);
			String where = "topics[" + k + "]";
			if (rule.getFilter() == null || rule.getFilter().length() > MAX_TOPIC_LENGTH
					|| !TopicFilters.isValidFilter(rule.getFilter())) {
				problems.add(new Problem(where + ".filter", "a topic filter of at most " + MAX_TOPIC_LENGTH + " characters"));
			}
			if (rule.getDirection() == null) {
				problems.add(new Problem(where + ".direction", "out, in or both"));
			}
			if (rule.getQos() < 0 || rule.getQos() > 2) {
				problems.add(new Problem(where + ".qos", "0, 1 or 2"));
			}
			if (!isPrefix(rule.getLocalPrefix())) {
				problems.add(new Problem(where + ".local-prefix",
						"at most " + MAX_TOPIC_LENGTH + " characters, no wildcards"));
			}
			if (!isPrefix(rule.getRemotePrefix())) {
				problems.add(new Problem(where + ".remote-prefix",
						"at most " + MAX_TOPIC_LENGTH + " characters, no wildcards"));
			}
		}
	}

	private static boolean isPrefix(String prefix) {
		return prefix != null && prefix.length() <= MAX_TOPIC_LENGTH && prefix.indexOf('#') < 0 && prefix.indexOf('+') < 0
				&& prefix.indexOf('\u0000') < 0;
	}

	private static boolean within(Duration value, Duration min, Duration max) {
		return value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
	}

	private static boolean hasControl(String value) {
		return value.chars().anyMatch(Character::isISOControl);
	}

}

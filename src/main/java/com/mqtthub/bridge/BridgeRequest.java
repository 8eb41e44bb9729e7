package com.mqtthub.bridge;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import com.mqtthub.bridge.BridgeDefinitions.Problem;
import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.Direction;
import com.mqtthub.bridge.BridgesProperties.TopicRule;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

/**
 * A bridge definition over JSON, shaped as {@code mqtthub.bridges[n]} in camelCase, with
 * durations and sizes written as in the configuration ({@code "60s"}, {@code "1GB"}). What is
 * left out takes the configuration's default. Also the {@code definition} of a bridge view
 * (passwords always null there).
 */
record BridgeRequest(String name, List<String> addresses, String clientId, String username, String password,
		String passwordEnv, String keepAlive, Boolean cleanSession, String connectTimeout, Integer inFlight,
		Boolean enabled, Boolean paused, Tls tls, Queue queue, Reconnect reconnect, List<Rule> topics,
		String failover, String peerClientId) {

	record Tls(String truststore, String truststorePassword, String truststoreType, String keystore,
			String keystorePassword, String keystoreType) {
	}

	record Queue(String maxBytes, Long maxMessages) {
	}

	record Reconnect(String initialDelay, String maxDelay) {
	}

	record Rule(String filter, String direction, Integer qos, String localPrefix, String remotePrefix) {
	}

	@Override
	public String toString() {
		return "BridgeRequest[" + this.name + "]";
	}

	/** The request as a definition, its name {@code name}; values that cannot be read go to {@code problems}. */
	Bridge toDefinition(String name, List<Problem> problems) {
		Bridge d = new Bridge();
		d.setName(name);
		d.setAddresses((this.addresses != null) ? new ArrayList<>(this.addresses) : new ArrayList<>());
		if (this.failover != null) {
			// An unknown value leaves null, which the checks report as the field's problem.
			d.setFailover(BridgesProperties.Failover.of(this.failover));
		}
		d.setClientId(blankToNull(this.clientId));
		d.setPeerClientId(blankToNull(this.peerClientId));
		d.setUsername(blankToNull(this.username));
		d.setPassword(this.password);
		d.setPasswordEnv(blankToNull(this.passwordEnv));
		duration(this.keepAlive, "keep-alive", problems, d::setKeepAlive);
		if (this.cleanSession != null) {
			d.setCleanSession(this.cleanSession);
		}
		duration(this.connectTimeout, "connect-timeout", problems, d::setConnectTimeout);
		if (this.inFlight != null) {
			d.setInFlight(this.inFlight);
		}
		if (this.enabled != null) {
			d.setEnabled(this.enabled);
		}
		if (this.paused != null) {
			d.setPaused(this.paused);
		}
		if (this.tls != null) {
			if (blankToNull(this.tls.truststore) != null) {
				try {
					d.getTls().setTruststore(Path.of(this.tls.truststore));
				}
				catch (InvalidPathException ex) {
					problems.add(new Problem("tls.truststore", "not a file path"));
				}
			}
			d.getTls().setTruststorePassword(this.tls.truststorePassword);
			if (blankToNull(this.tls.truststoreType) != null) {
				d.getTls().setTruststoreType(this.tls.truststoreType);
			}
			if (blankToNull(this.tls.keystore) != null) {
				try {
					d.getTls().setKeystore(Path.of(this.tls.keystore));
				}
				catch (InvalidPathException ex) {
					problems.add(new Problem("tls.keystore", "not a file path"));
				}
			}
			d.getTls().setKeystorePassword(this.tls.keystorePassword);
			if (blankToNull(this.tls.keystoreType) != null) {
				d.getTls().setKeystoreType(this.tls.keystoreType);
			}
		}
		if (this.queue != null) {
			if (this.queue.maxBytes != null) {
				try {
					d.getQueue().setMaxBytes(DataSize.parse(this.queue.maxBytes));
				}
				catch (IllegalArgumentException ex) {
					problems.add(new Problem("queue.max-bytes", "a size such as 512MB or 1GB"));
				}
			}
			if (this.queue.maxMessages != null) {
				d.getQueue().setMaxMessages(this.queue.maxMessages);
			}
		}
		if (this.reconnect != null) {
			duration(this.reconnect.initialDelay, "reconnect.initial-delay", problems,
					d.getReconnect()::setInitialDelay);
			duration(this.reconnect.maxDelay, "reconnect.max-delay", problems, d.getReconnect()::setMaxDelay);
		}
		List<TopicRule> rules = new ArrayList<>();
		List<Rule> given = (this.topics != null) ? this.topics : List.of();
		for (int k = 0; k < given.size(); k++) {
			rules.add(rule(given.get(k), k, problems));
		}
		d.setTopics(rules);
		return d;
	}

	private static TopicRule rule(Rule given, int k, List<Problem> problems) {
		TopicRule rule = new TopicRule();
		if (given == null) {
			return rule;
		}
		rule.setFilter(given.filter);
		if (given.direction != null) {
			try {
				rule.setDirection(Direction.valueOf(given.direction.toUpperCase(Locale.ROOT)));
			}
			catch (IllegalArgumentException ex) {
				rule.setDirection(null);
			}
		}
		if (given.qos != null) {
			rule.setQos(given.qos);
		}
		rule.setLocalPrefix(given.localPrefix);
		rule.setRemotePrefix(given.remotePrefix);
		return rule;
	}

	private static void duration(String text, String field, List<Problem> problems, Consumer<Duration> set) {
		if (text == null) {
			return;
		}
		try {
			set.accept(DurationStyle.detectAndParse(text.trim()));
		}
		catch (IllegalArgumentException ex) {
			problems.add(new Problem(field, "a duration such as 500ms, 60s or 5m"));
		}
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value;
	}

	/** A definition as the API shows it, passwords left out. */
	static BridgeRequest of(Bridge d) {
		BridgesProperties.Tls tls = d.getTls();
		return new BridgeRequest(d.getName(), List.copyOf(d.getAddresses()), d.getClientId(), d.getUsername(), null,
				d.getPasswordEnv(), format(d.getKeepAlive()), d.isCleanSession(), format(d.getConnectTimeout()),
				d.getInFlight(), d.isEnabled(), d.isPaused(),
				new Tls((tls.getTruststore() != null) ? tls.getTruststore().toString() : null, null,
						tls.getTruststoreType(), (tls.getKeystore() != null) ? tls.getKeystore().toString() : null, null,
						tls.getKeystoreType()),
				new Queue(format(d.getQueue().getMaxBytes()), d.getQueue().getMaxMessages()),
				new Reconnect(format(d.getReconnect().getInitialDelay()), format(d.getReconnect().getMaxDelay())),
				d.getTopics()
					.stream()
					.map((r) -> new Rule(r.getFilter(), r.getDirection().name().toLowerCase(Locale.ROOT), r.getQos(),
							r.getLocalPrefix(), r.getRemotePrefix()))
					.toList(),
				d.getFailover().text(), d.getPeerClientId());
	}

	static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis % 1000 != 0) {
			return millis + "ms";
		}
		long seconds = millis / 1000;
		if (seconds != 0 && seconds % 3600 == 0) {
			return (seconds / 3600) + "h";
		}
		if (seconds != 0 && seconds % 60 == 0) {
			return (seconds / 60) + "m";
		}
		return seconds + "s";
	}

	static String format(DataSize size) {
		long bytes = size.toBytes();
		String[] units = { "GB", "MB", "KB" };
		long[] factors = { 1L << 30, 1L << 20, 1L << 10 };
		for (int i = 0; i < units.length; i++) {
			if (bytes != 0 && bytes % factors[i] == 0) {
				return (bytes / factors[i]) + units[i];
			}
		}
		return bytes + "B";
	}

}

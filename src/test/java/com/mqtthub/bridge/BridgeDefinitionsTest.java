package com.mqtthub.bridge;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.TopicRule;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeDefinitionsTest {

	private static Bridge valid(String name) {
		Bridge bridge = new Bridge();
		bridge.setName(name);
		bridge.setAddresses(List.of("tcp://127.0.0.1:1883", "wss://cluster.example:443/mqtt"));
		TopicRule rule = new TopicRule();
		rule.setFilter("sensors/#");
		bridge.setTopics(List.of(rule));
		return bridge;
	}

	private static List<String> problems(Bridge... bridges) {
		return BridgeDefinitions.problems(List.of(bridges), Map.of("BRIDGE_SECRET", "s3cret")::get);
	}

	@Test
	void acceptsAUsableDefinition() {
		Bridge bridge = valid("cloud");
		bridge.setPasswordEnv("BRIDGE_SECRET");
		assertThat(problems(bridge)).isEmpty();
		assertThat(bridge.effectiveClientId()).isEqualTo("mqtthub-bridge-cloud");
	}

	@Test
	void aTrustStoreGoesWithTlsAddressesOnly() {
		java.nio.file.Path cacerts = java.nio.file.Path.of(System.getProperty("java.home"), "lib", "security",
				"cacerts");
		Bridge mixed = valid("mixed");
		mixed.getTls().setTruststore(cacerts);
		mixed.getTls().setTruststoreType("JKS");
		mixed.getTls().setTruststorePassword("changeit");
		assertThat(problems(mixed)).containsExactly(
				"mqtthub.bridges[0].addresses: only ssl:// and wss:// addresses when a trust store or key store is set");
		mixed.setAddresses(List.of("ssl://127.0.0.1:8883", "wss://cluster.example:443/mqtt"));
		assertThat(problems(mixed)).isEmpty();
	}

	@Test
	void namesEachProblemBySetting() {
		Bridge bad = valid("bad name\n");
		bad.setAddresses(List.of("http://host:80", "tcp://no-port"));
		bad.setPassword("x");
		bad.setPasswordEnv("NOT_SET_ANYWHERE");
		bad.setKeepAlive(Duration.ofSeconds(-1));
		bad.setInFlight(0);
		bad.getReconnect().setInitialDelay(Duration.ofMillis(1));
		TopicRule rule = new TopicRule();
		rule.setFilter("a/#/b");
		rule.setQos(3);
		rule.setLocalPrefix("x/+/");
		bad.setTopics(List.of(rule));
		assertThat(problems(bad)).containsExactlyInAnyOrder(
				"mqtthub.bridges[0].name: 1 to 64 letters, digits, '-' or '_'",
				"mqtthub.bridges[0].addresses[0]: tcp://, ssl://, ws:// or wss:// with a host and a port",
				"mqtthub.bridges[0].addresses[1]: tcp://, ssl://, ws:// or wss:// with a host and a port",
				// The default client id is made from the name.
				"mqtthub.bridges[0].client-id: at most 128 characters, no control characters",
				"mqtthub.bridges[0].password-env: set password or password-env, not both",
				"mqtthub.bridges[0].password-env: the environment variable NOT_SET_ANYWHERE is not set",
				"mqtthub.bridges[0].keep-alive: 0s to 65535s", "mqtthub.bridges[0].in-flight: 1 to 1000",
				"mqtthub.bridges[0].reconnect: initial-delay 100ms to 1h, max-delay from initial-delay to 1h",
				"mqtthub.bridges[0].topics[0].filter: a topic filter of at most 1024 characters",
				"mqtthub.bridges[0].topics[0].qos: 0, 1 or 2",
				"mqtthub.bridges[0].topics[0].local-prefix: at most 1024 characters, no wildcards");
	}

	@Test
	void checksOneBridgeWithTheFieldsTheApiNames() {
		Bridge bad = valid("cloud");
		bad.getQueue().setMaxMessages(0);
		bad.getTopics().get(0).setRemotePrefix("a/#");
		bad.setPassword("x".repeat(BridgeDefinitions.MAX_SECRET_LENGTH + 1));
		assertThat(BridgeDefinitions.check(bad, (name) -> null))
			.extracting(BridgeDefinitions.Problem::jsonField, BridgeDefinitions.Problem::message)
			.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("queue.maxMessages", "at least 1"),
					org.assertj.core.groups.Tuple.tuple("topics[0].remotePrefix",
							"at most 1024 characters, no wildcards"),
					org.assertj.core.groups.Tuple.tuple("password", "at most 1024 characters"));
	}

	@Test
	void boundsTheTrustStoreSettingsAndTheAddressLength() {
		Bridge bad = valid("cloud");
		bad.getTls().setTruststore(java.nio.file.Path.of("/" + "d".repeat(BridgeDefinitions.MAX_PATH_LENGTH)));
		bad.getTls().setTruststoreType("PKCS12\n");
		bad.getTls().setTruststorePassword("p".repeat(BridgeDefinitions.MAX_SECRET_LENGTH + 1));
		bad.setAddresses(List.of("ssl://h" + "o".repeat(2048) + ":1883"));
		bad.setUsername("u".repeat(257));
		assertThat(BridgeDefinitions.check(bad, (name) -> null)).extracting(BridgeDefinitions.Problem::field)
			.containsExactlyInAnyOrder("tls.truststore", "tls.truststore-type", "tls.truststore-password",
					"addresses[0]", "username");
	}

	@Test
	void namesAreUniqueAndRulesRequired() {
		Bridge empty = valid("cloud");
		empty.setTopics(List.of());
		assertThat(problems(valid("cloud"), empty)).containsExactlyInAnyOrder(
				"mqtthub.bridges[1].name: 'cloud' is used by another bridge",
				"mqtthub.bridges[1].topics: 1 to 100 topic rules");
	}

	@Test
	void backOffGrowsToItsCapWithJitter() {
		Bridge bridge = valid("cloud");
		bridge.getReconnect().setInitialDelay(Duration.ofSeconds(1));
		bridge.getReconnect().setMaxDelay(Duration.ofSeconds(8));
		BridgeLink link = new BridgeLink(bridge, null, (from, topic, payload, qos, retain, stored) -> false);
		for (int i = 0; i < 50; i++) {
			assertThat(link.backOff(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
			assertThat(link.backOff(3)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
			assertThat(link.backOff(30)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
		}
	}

}

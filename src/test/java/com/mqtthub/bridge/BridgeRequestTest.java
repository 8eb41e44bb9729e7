package com.mqtthub.bridge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.mqtthub.bridge.BridgeDefinitions.Problem;
import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.Direction;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class BridgeRequestTest {

	private static BridgeRequest request(List<String> addresses, String keepAlive, String maxBytes,
			List<BridgeRequest.Rule> rules) {
		return new BridgeRequest("cloud", addresses, null, null, null, null, keepAlive, null, null, null, null, null,
				null, new BridgeRequest.Queue(maxBytes, null), null, rules, null, null);
	}

	@Test
	void readsDurationsAndSizesAsTheConfigurationWritesThemAndRoundTrips() {
		List<Problem> problems = new ArrayList<>();
		Bridge bridge = request(List.of("tcp://127.0.0.1:1883"), "90s", "512MB",
				List.of(new BridgeRequest.Rule("a/#", "BOTH", 2, "l/", "r/")))
			.toDefinition("cloud", problems);
		assertThat(problems).isEmpty();
		assertThat(bridge.getKeepAlive()).isEqualTo(Duration.ofSeconds(90));
		assertThat(bridge.getQueue().getMaxBytes()).isEqualTo(DataSize.ofMegabytes(512));
		assertThat(bridge.getTopics().get(0).getDirection()).isEqualTo(Direction.BOTH);
		assertThat(bridge.getConnectTimeout()).as("default").isEqualTo(Duration.ofSeconds(10));
		assertThat(BridgeDefinitions.check(bridge, (name) -> null)).isEmpty();
		BridgeRequest shown = BridgeRequest.of(bridge);
		assertThat(shown.keepAlive()).isEqualTo("90s");
		assertThat(shown.queue().maxBytes()).isEqualTo("512MB");
		assertThat(shown.reconnect().maxDelay()).isEqualTo("1m");
		assertThat(shown.password()).isNull();
		assertThat(shown.toDefinition("cloud", problems).getTopics().get(0).getRemotePrefix()).isEqualTo("r/");
		assertThat(problems).isEmpty();
	}

	@Test
	void failoverIsInOrderUnlessRoundRobinIsAskedFor() {
		List<Problem> problems = new ArrayList<>();
		List<BridgeRequest.Rule> rules = List.of(new BridgeRequest.Rule("a", "out", 1, "", ""));
		Bridge plain = request(List.of("tcp://127.0.0.1:1"), null, null, rules).toDefinition("cloud", problems);
		assertThat(plain.getFailover()).isEqualTo(BridgesProperties.Failover.IN_ORDER);
		BridgeRequest roundRobin = withFailover(request(List.of("tcp://127.0.0.1:1"), null, null, rules), "round-robin");
		Bridge rotating = roundRobin.toDefinition("cloud", problems);
		assertThat(rotating.getFailover()).isEqualTo(BridgesProperties.Failover.ROUND_ROBIN);
		assertThat(BridgeRequest.of(rotating).failover()).isEqualTo("round-robin");
		assertThat(BridgeDefinitions.check(rotating, (name) -> null)).isEmpty();
		Bridge sideways = withFailover(roundRobin, "sideways").toDefinition("cloud", problems);
		assertThat(problems).isEmpty();
		assertThat(BridgeDefinitions.check(sideways, (name) -> null)).extracting(Problem::jsonField)
			.containsExactly("failover");
	}

	@Test
	void thePeerClientIdIsBoundedLikeAClientId() {
		List<BridgeRequest.Rule> rules = List.of(new BridgeRequest.Rule("a", "out", 1, "", ""));
		BridgeRequest r = request(List.of("tcp://127.0.0.1:1"), null, null, rules);
		for (String bad : List.of("x".repeat(129), "hub\nB")) {
			BridgeRequest withPeer = new BridgeRequest(r.name(), r.addresses(), r.clientId(), r.username(), null, null,
					null, null, null, null, null, null, null, null, null, r.topics(), null, bad);
			List<Problem> problems = new ArrayList<>();
			Bridge bridge = withPeer.toDefinition("cloud", problems);
			assertThat(BridgeDefinitions.check(bridge, (name) -> null)).extracting(Problem::jsonField)
				.containsExactly("peerClientId");
		}
		BridgeRequest good = new BridgeRequest(r.name(), r.addresses(), r.clientId(), r.username(), null, null, null,
				null, null, null, null, null, null, null, null, r.topics(), null, "hub-b-bridge");
		Bridge bridge = good.toDefinition("cloud", new ArrayList<>());
		assertThat(BridgeDefinitions.check(bridge, (name) -> null)).isEmpty();
		assertThat(BridgeRequest.of(bridge).peerClientId()).isEqualTo("hub-b-bridge");
	}

	@Test
	void aClientKeyStoreMustBeReadableWithItsPassword() {
		String keystore = com.mqtthub.testing.TestKeystore.path().toString();
		String right = com.mqtthub.testing.TestKeystore.PASSWORD;
		assertThat(keystoreProblems(keystore, right)).isEmpty();
		assertThat(keystoreProblems(keystore, "wrong")).containsExactly("tls.keystore");
		assertThat(keystoreProblems(keystore + ".missing", right)).containsExactly("tls.keystore");
		assertThat(keystoreProblems(keystore, "x".repeat(BridgeDefinitions.MAX_SECRET_LENGTH + 1)))
			.containsExactly("tls.keystorePassword");
	}

	private static List<String> keystoreProblems(String keystore, String password) {
		BridgeRequest r = request(List.of("ssl://127.0.0.1:1"), null, null,
				List.of(new BridgeRequest.Rule("a", "out", 1, "", "")));
		BridgeRequest withKeys = new BridgeRequest(r.name(), r.addresses(), null, null, null, null, null, null, null,
				null, null, null, new BridgeRequest.Tls(null, null, null, keystore, password, "PKCS12"), null, null,
				r.topics(), null, null);
		List<Problem> problems = new ArrayList<>();
		Bridge bridge = withKeys.toDefinition("cloud", problems);
		problems.addAll(BridgeDefinitions.check(bridge, (name) -> null));
		return problems.stream().map(Problem::jsonField).toList();
	}

	private static BridgeRequest withFailover(BridgeRequest r, String failover) {
		return new BridgeRequest(r.name(), r.addresses(), r.clientId(), r.username(), r.password(), r.passwordEnv(),
				r.keepAlive(), r.cleanSession(), r.connectTimeout(), r.inFlight(), r.enabled(), r.paused(), r.tls(),
				r.queue(), r.reconnect(), r.topics(), failover, r.peerClientId());
	}

	@Test
	void everyValueThatCannotBeReadOrIsOutOfBoundsIsAProblemOfItsField() {
		List<Problem> problems = new ArrayList<>();
		List<String> tooMany = Collections.nCopies(BridgeDefinitions.MAX_ADDRESSES + 1, "tcp://127.0.0.1:1883");
		List<BridgeRequest.Rule> rules = new ArrayList<>();
		rules.add(null);
		rules.add(new BridgeRequest.Rule("a", "sideways", null, null, null));
		Bridge bridge = request(tooMany, "soon", "lots", rules).toDefinition("cloud", problems);
		problems.addAll(BridgeDefinitions.check(bridge, (name) -> null));
		assertThat(problems).extracting(Problem::jsonField)
			.containsExactlyInAnyOrder("keepAlive", "queue.maxBytes", "addresses", "topics[0].filter",
					"topics[1].direction");
		List<Problem> tooManyRules = new ArrayList<>();
		Bridge many = request(List.of("tcp://127.0.0.1:1883"), null, null,
				Collections.nCopies(BridgeDefinitions.MAX_TOPIC_RULES + 1, new BridgeRequest.Rule("a", "out", 1, "", "")))
			.toDefinition("cloud", tooManyRules);
		assertThat(BridgeDefinitions.check(many, (name) -> null)).extracting(Problem::jsonField)
			.containsExactly("topics");
	}

}

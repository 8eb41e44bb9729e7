package com.mqtthub.bridge;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import com.mqtthub.bridge.BridgeService.Source;
import com.mqtthub.bridge.BridgesProperties.Bridge;
import com.mqtthub.bridge.BridgesProperties.TopicRule;
import com.mqtthub.broker.BrokerProperties;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.PublishTap;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bridges added, replaced and removed while the hub runs: an edit keeps what is queued (with
 * the new limits), a removal discards the queue and queues nothing more.
 */
class BridgeServiceTest {

	private final Map<String, Map<Long, byte[]>> maps = new ConcurrentHashMap<>();

	private final PublishTap.Store store = new PublishTap.Store() {

		@Override
		public Map<Long, byte[]> map(String name) {
			return BridgeServiceTest.this.maps.computeIfAbsent(name, (n) -> new ConcurrentSkipListMap<>());
		}

		@Override
		public void afterCommit(Runnable action) {
			action.run();
		}

	};

	private static Bridge bridge(String name, String filter) {
		Bridge bridge = new Bridge();
		bridge.setName(name);
		bridge.setAddresses(List.of("tcp://127.0.0.1:1"));
		TopicRule rule = new TopicRule();
		rule.setFilter(filter);
		bridge.setTopics(List.of(rule));
		return bridge;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Test
	void anEditKeepsTheQueueAndARemovalDiscardsIt() {
		BridgeService service = new BridgeService(new BridgesProperties(),
				new EmbeddedBroker(new BrokerProperties(), null, null), (name) -> null);
		service.storeOpened(this.store);
		service.put(bridge("edge", "a/#"), null, Source.DATABASE, null);
		service.published("c", "a/1", bytes("one"), 1, false);
		service.published("c", "a/2", bytes("two"), 1, false);
		service.published("c", "b/1", bytes("not for this bridge"), 1, false);
		assertThat(service.link("edge").orElseThrow().queue().size()).isEqualTo(2);

		Bridge edited = bridge("edge", "b/#");
		edited.getQueue().setMaxMessages(3);
		BridgeLink replaced = service.put(edited, null, Source.DATABASE, null);
		assertThat(service.link("edge")).containsSame(replaced);
		assertThat(replaced.queue().size()).as("kept over the edit").isEqualTo(2);
		service.published("c", "b/1", bytes("now for it"), 1, false);
		service.published("c", "b/2", bytes("and this"), 1, false);
		assertThat(replaced.queue().size()).as("the new limit of 3").isEqualTo(3);
		assertThat(replaced.queue().dropped()).isEqualTo(1);
		assertThat(service.source("edge")).isEqualTo(Source.DATABASE);

		assertThat(service.remove("edge")).isEqualTo(3);
		assertThat(this.maps.get("bridge_edge")).isEmpty();
		service.published("c", "b/3", bytes("nobody takes it"), 1, false);
		assertThat(this.maps.get("bridge_edge")).isEmpty();
		assertThat(service.links()).isEmpty();
		assertThat(service.remove("edge")).isEqualTo(-1);
	}

	@Test
	void aBlockedBridgeIsListedWithItsReasonAndNotStarted() {
		BridgeService service = new BridgeService(new BridgesProperties(),
				new EmbeddedBroker(new BrokerProperties(), null, null), (name) -> null);
		Bridge broken = bridge("broken", "a/#");
		broken.getQueue().setMaxBytes(DataSize.ofKilobytes(4));
		BridgeLink link = service.put(broken, null, Source.DATABASE, "not started: password-env: gone");
		service.start();
		try {
			assertThat(link.state()).isEqualTo(BridgeState.STOPPED);
			assertThat(link.lastError()).isEqualTo("not started: password-env: gone");
		}
		finally {
			service.stop();
		}
	}

}

package com.mqtthub.bridge;

import com.mqtthub.bridge.BridgesProperties.Direction;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicMappingTest {

	@Test
	void swapsPrefixesLikeMosquitto() {
		TopicMapping rule = new TopicMapping("sensors/#", Direction.BOTH, 1, "site/", "sites/a/");
		assertThat(rule.outgoing("site/sensors/t")).isEqualTo("sites/a/sensors/t");
		assertThat(rule.outgoing("sensors/t")).isNull();
		assertThat(rule.incoming("sites/a/sensors/t")).isEqualTo("site/sensors/t");
		assertThat(rule.incoming("sites/b/sensors/t")).isNull();
		assertThat(rule.remoteFilter()).isEqualTo("sites/a/sensors/#");
	}

	@Test
	void directionDecidesWhatCrosses() {
		TopicMapping out = new TopicMapping("a/+", Direction.OUT, 0, "", "");
		TopicMapping in = new TopicMapping("a/+", Direction.IN, 0, "", "");
		assertThat(out.outgoing("a/b")).isEqualTo("a/b");
		assertThat(out.incoming("a/b")).isNull();
		assertThat(in.incoming("a/b")).isEqualTo("a/b");
		assertThat(in.outgoing("a/b")).isNull();
		assertThat(out.outgoing("a/b/c")).isNull();
	}

	@Test
	void wildcardsAtTheStartSkipDollarTopics() {
		TopicMapping all = new TopicMapping("#", Direction.OUT, 0, "", "");
		assertThat(all.outgoing("$SYS/broker/uptime")).isNull();
		assertThat(new TopicMapping("$SYS/#", Direction.OUT, 0, "", "").outgoing("$SYS/broker/uptime"))
			.isEqualTo("$SYS/broker/uptime");
	}

}

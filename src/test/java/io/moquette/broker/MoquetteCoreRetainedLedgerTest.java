package io.moquette.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every retained write of the broker's own messages goes through the hub's account: it may
 * refuse one (the topic keeps its previous message), and hears of each store, with its owner and
 * size, and each removal. QoS 0 retained messages are kept too (MQTT-3.3.1-5).
 */
class MoquetteCoreRetainedLedgerTest {

	@TempDir
	Path data;

	@ParameterizedTest(name = "persistence {0}")
	@ValueSource(booleans = { true, false })
	void theAccountDecidesAndHearsOfEveryStoreAndRemoval(boolean persistence) throws Exception {
		MoquetteCore core = InMemoryCores.start(Files.createDirectories(this.data.resolve("store")), List.of(),
				persistence);
		List<String> heard = Collections.synchronizedList(new ArrayList<>());
		core.governRetained(new MoquetteCore.RetainedLedger() {

			@Override
			public boolean store(String topic, String owner, int bytes) {
				heard.add("store " + topic + " " + owner + " " + bytes);
				return !topic.startsWith("refused/");
			}

			@Override
			public void removed(String topic) {
				heard.add("removed " + topic);
			}

		});
		try {
			publish(core, "kept/1", 5, MqttQoS.AT_LEAST_ONCE, "alice");
			publish(core, "kept/0", 3, MqttQoS.AT_MOST_ONCE, "$broker");
			publish(core, "refused/1", 7, MqttQoS.AT_LEAST_ONCE, "alice");
			assertThat(core.retainedCount()).isEqualTo(2);
			assertThat(core.retainedMessage("kept/0").getPayload()).hasSize(3);
			assertThat(core.retainedMessage("refused/1")).isNull();
			publish(core, "kept/1", 0, MqttQoS.AT_LEAST_ONCE, "alice");
			core.cleanRetained("kept/0");
			assertThat(core.retainedCount()).isZero();
			assertThat(heard).containsExactly("store kept/1 alice 5", "store kept/0 $broker 3",
					"store refused/1 alice 7", "removed kept/1", "removed kept/0");
		}
		finally {
			core.stop();
		}
	}

	private static void publish(MoquetteCore core, String topic, int bytes, MqttQoS qos, String owner) {
		core.internalPublish(MqttMessageBuilders.publish()
			.topicName(topic)
			.qos(qos)
			.retained(true)
			.payload(Unpooled.wrappedBuffer(new byte[bytes]))
			.build(), owner);
	}

}

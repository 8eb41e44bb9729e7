package io.moquette.broker;

import java.nio.file.Path;
import java.time.Duration;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only sessions that outlive their connection are written to the store: a clean session ends
 * with its connection (MQTT-3.1.2-6), so storing it cost a write per connect and a record per
 * connected device for nothing; and a clean start of a client id removes its stored session
 * (MQTT-3.1.2-6: the previous session is discarded), so that a restart cannot bring it back.
 */
class MoquetteCoreStoredSessionsTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path data;

	private MoquetteCore core;

	@BeforeEach
	void start() throws Exception {
		this.core = InMemoryCores.startStored(this.data);
	}

	@AfterEach
	void stop() {
		this.core.stop();
	}

	@Test
	void onlySessionsThatOutliveTheirConnectionAreStored() throws Exception {
		EmbeddedChannel device = EngineClients.connected(this.core, "device", false, WAIT);
		EmbeddedChannel page = EngineClients.connected(this.core, "page", true, WAIT);
		try {
			assertThat(this.core.storedSessionIds()).containsExactly("device");
		}
		finally {
			device.writeInbound(MqttMessageBuilders.disconnect().build());
			device.finishAndReleaseAll();
			page.finishAndReleaseAll();
		}
		assertThat(this.core.storedSessionIds()).as("a persistent session outlives its connection")
			.containsExactly("device");

		EmbeddedChannel cleanAgain = EngineClients.connected(this.core, "device", true, WAIT);
		try {
			assertThat(this.core.storedSessionIds()).as("given up by a clean start").isEmpty();
		}
		finally {
			cleanAgain.finishAndReleaseAll();
		}
	}

}

package com.mqtthub.broker;

import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class MoquetteSettingsTest {

	@Test
	void defaultsNeverPhoneHomeAndAcceptDevicesThatSendNoClientId() {
		Properties settings = MoquetteSettings.from(new BrokerProperties());

		assertThat(settings.getProperty("telemetry_enabled")).isEqualTo("false");
		assertThat(settings.getProperty("use_metrics")).isEqualTo("false");
		assertThat(settings.getProperty("use_bugsnag")).isEqualTo("false");
		assertThat(settings.getProperty("allow_zero_byte_client_id")).isEqualTo("true");
	}

	@Test
	void defaultsAllowMessagesOfOneMebibyteOnEveryTransport() {
		BrokerProperties defaults = new BrokerProperties();

		assertThat(MoquetteSettings.from(defaults).getProperty("netty.mqtt.message_size")).isEqualTo("1048576");
		assertThat(MoquetteSettings.maxFrameBytes(defaults)).isGreaterThan(1048576);
	}

	@Test
	void mapsStorageAndLimits() {
		BrokerProperties properties = new BrokerProperties();
		properties.setMaxMessageSize(DataSize.ofKilobytes(64));
		properties.setDataDirectory(Path.of("/var/lib/hub"));
		properties.setPersistence(false);
		properties.getWebsocket().setMaxFrameSize(DataSize.ofKilobytes(16));

		Properties settings = MoquetteSettings.from(properties);

		assertThat(settings.getProperty("netty.mqtt.message_size")).isEqualTo("65536");
		assertThat(MoquetteSettings.maxMessageBytes(properties)).isEqualTo(65536);
		assertThat(MoquetteSettings.maxFrameBytes(properties)).isEqualTo(16384);
		assertThat(settings.getProperty("data_path")).isEqualTo(Path.of("/var/lib/hub").toString());
		assertThat(settings.getProperty("persistence_enabled")).isEqualTo("false");
	}

	@Test
	void mapsTheCommitLingerInMicroseconds() {
		BrokerProperties properties = new BrokerProperties();
		assertThat(MoquetteSettings.from(properties).getProperty("mqtthub_commit_linger_micros")).isEqualTo("500");
		properties.setCommitLinger(java.time.Duration.ofMillis(2));
		assertThat(MoquetteSettings.from(properties).getProperty("mqtthub_commit_linger_micros")).isEqualTo("2000");
	}

}

package com.mqtthub.broker;

import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class MoquetteSettingsTest {

	@Test
	void defaultsNeverPhoneHomeAndAcceptDevicesThatSendNoClientId() {
		Properties settings = MoquetteSettings.from(new BrokerProperties(), 1883, 8083);

		assertThat(settings.getProperty("telemetry_enabled")).isEqualTo("false");
		assertThat(settings.getProperty("use_metrics")).isEqualTo("false");
		assertThat(settings.getProperty("use_bugsnag")).isEqualTo("false");
		assertThat(settings.getProperty("allow_zero_byte_client_id")).isEqualTo("true");
	}

	@Test
	void defaultsAllowMessagesOfOneMebibyteOnEveryTransport() {
		Properties settings = MoquetteSettings.from(new BrokerProperties(), 1883, 8083);

		assertThat(settings.getProperty("netty.mqtt.message_size")).isEqualTo("1048576");
		assertThat(Integer.parseInt(settings.getProperty("websocket_max_frame_size"))).isGreaterThan(1048576);
	}

	@Test
	void mapsListenersStorageAndLimits() {
		BrokerProperties properties = new BrokerProperties();
		properties.setHost("127.0.0.1");
		properties.setMaxMessageSize(DataSize.ofKilobytes(64));
		properties.setDataDirectory(Path.of("/var/lib/hub"));
		properties.setPersistence(false);
		properties.getWebsocket().setPath("/ws");
		properties.getWebsocket().setMaxFrameSize(DataSize.ofKilobytes(16));

		Properties settings = MoquetteSettings.from(properties, 11883, 18083);

		assertThat(settings.getProperty("host")).isEqualTo("127.0.0.1");
		assertThat(settings.getProperty("port")).isEqualTo("11883");
		assertThat(settings.getProperty("websocket_port")).isEqualTo("18083");
		assertThat(settings.getProperty("websocket_path")).isEqualTo("/ws");
		assertThat(settings.getProperty("websocket_max_frame_size")).isEqualTo("16384");
		assertThat(settings.getProperty("netty.mqtt.message_size")).isEqualTo("65536");
		assertThat(settings.getProperty("data_path")).isEqualTo(Path.of("/var/lib/hub").toString());
		assertThat(settings.getProperty("persistence_enabled")).isEqualTo("false");
	}

	@Test
	void switchedOffWebSocketListenerIsDisabledInMoquette() {
		Properties settings = MoquetteSettings.from(new BrokerProperties(), 1883, -1);

		assertThat(settings.getProperty("websocket_port")).isEqualTo("disabled");
	}

}

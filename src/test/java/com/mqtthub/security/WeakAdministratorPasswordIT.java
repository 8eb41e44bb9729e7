package com.mqtthub.security;

import java.nio.file.Path;

import com.mqtthub.MqttHubApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The first administrator's password follows the policy too: a weak configured one stops the
 * first start with a sentence saying why.
 */
class WeakAdministratorPasswordIT {

	@TempDir
	Path data;

	@Test
	void aCommonConfiguredPasswordStopsTheFirstStart() {
		assertThatThrownBy(() -> SpringApplication
			.run(MqttHubApplication.class, "--server.port=0", "--mqtthub.broker.port=0",
					"--mqtthub.broker.websocket.port=0", "--mqtthub.broker.data-directory=" + this.data,
					"--mqtthub.security.admin.password=password123")
			.close()).hasStackTraceContaining(
					"mqtthub.security.admin.password (MQTTHUB_SECURITY_ADMIN_PASSWORD) is refused: "
							+ "This password is on the list of common passwords");
	}

}

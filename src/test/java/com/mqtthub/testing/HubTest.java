package com.mqtthub.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Starts the whole application as a user runs it, on free ports (web, MQTT over TCP, MQTT over
 * WebSocket) and with its data under {@code target/test-data}, so tests never collide with a hub
 * running on the default ports. Security stays at its defaults (anonymous MQTT refused); the
 * administrator {@link #ADMIN} has the password {@link #ADMIN_PASSWORD}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "mqtthub.broker.port=0", "mqtthub.broker.websocket.port=0",
				"mqtthub.broker.data-directory=target/test-data/${random.uuid}",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
public @interface HubTest {

	/** The administrator every test application starts with. */
	String ADMIN = "admin";

	/** The administrator's password in tests (a fixed value for tests only; the product has none). */
	String ADMIN_PASSWORD = "test-root-secret";

}

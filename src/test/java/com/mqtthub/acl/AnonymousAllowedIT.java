package com.mqtthub.acl;

import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code mqtthub.security.allow-anonymous=true}, clients without a user name connect, and the
 * rules of role ANONYMOUS decide what they may use.
 */
@HubTest
@TestPropertySource(properties = "mqtthub.security.allow-anonymous=true")
class AnonymousAllowedIT {

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private AclService acl;

	@Test
	void anonymousClientConnectsAndFollowsTheAnonymousRules() throws Exception {
		String root = "anon-" + UUID.randomUUID().toString().substring(0, 8);
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		try (MqttTestClient client = MqttTestClient.connect(uri, "anon-" + root,
				MqttTestClient.anonymousOptions(true))) {
			assertThat(client.isConnected()).isTrue();
			assertThat(grantedQos(client, root + "/a")).isEqualTo(0x80);

			this.acl.create(null, AclRule.ANONYMOUS, root + "/#", Access.SUBSCRIBE, Permission.ALLOW, null);
			assertThat(grantedQos(client, root + "/a")).isEqualTo(1);
		}
	}

	@Test
	void credentialsAreStillCheckedWhenGiven() throws Exception {
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		try (MqttTestClient client = MqttTestClient.create(uri, "wrong-" + UUID.randomUUID().toString().substring(0, 8))) {
			client.paho().connect(MqttTestClient.options(true, HubTest.ADMIN, "not the password"));
			throw new AssertionError("connected with a wrong password");
		}
		catch (MqttException ex) {
			assertThat(ex.getReasonCode()).isEqualTo(MqttException.REASON_CODE_FAILED_AUTHENTICATION);
		}
	}

	private static int grantedQos(MqttTestClient client, String filter) {
		try {
			return client.paho().subscribeWithResponse(new String[] { filter }, new int[] { 1 }).getGrantedQos()[0];
		}
		catch (MqttException ex) {
			if (ex.getReasonCode() == MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
				return 0x80;
			}
			throw new AssertionError(ex);
		}
	}

}

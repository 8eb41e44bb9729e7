package com.mqtthub.security;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.mqtthub.broker.MqttAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Lets MQTT clients in with the same user names and passwords as the web login.
 * <p>
 * Failures count against the user name and the client's address, as for the web login.
 */
@Component
class MqttUserAuthenticator implements MqttAuthenticator {

	private static final Logger logger = LoggerFactory.getLogger(MqttUserAuthenticator.class);

	private final CredentialsChecker credentials;

	private final HubSecurityProperties properties;

	MqttUserAuthenticator(CredentialsChecker credentials, HubSecurityProperties properties) {
		this.credentials = credentials;
		this.properties = properties;
	}

	@Override
	public boolean allowsAnonymous() {
		return this.properties.isAllowAnonymous();
	}

	@Override
	public boolean authenticate(String clientId, String username, byte[] password, String remoteAddress) {
		String text = (password != null) ? decode(password) : null;
		boolean valid = this.credentials.check(username, text, remoteAddress, "MQTT").isPresent();
		if (!valid) {
			logger.info("MQTT connection from {} refused for user name '{}' (client id '{}'): bad user name or password",
					LogSafe.text(remoteAddress), LogSafe.text(username), LogSafe.text(clientId));
		}
		return valid;
	}

	private static String decode(byte[] password) {
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(password))
				.toString();
		}
		catch (CharacterCodingException ex) {
			// Not UTF-8 text, so not a password this hub could have stored; still counts as a failure.
			return "\u0000";
		}
	}

}

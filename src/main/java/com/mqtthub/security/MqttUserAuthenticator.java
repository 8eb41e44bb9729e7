package com.mqtthub.security;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import com.mqtthub.broker.ConnectCheckLimits;
import com.mqtthub.broker.MqttAuthenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Lets MQTT clients in with the same user names and passwords as the web login.
 * <p>
 * Failures count against the user name and the client's address, as for the web login. Valid
 * credentials are remembered for {@code mqtthub.security.connect.cache-ttl}
 * ({@link VerifiedCredentials}), so that a device that reconnects needs no password hash; the
 * memory of a user goes as soon as that user is changed, disabled or deleted.
 */
@Component
class MqttUserAuthenticator implements MqttAuthenticator {

	private static final Logger logger = LoggerFactory.getLogger(MqttUserAuthenticator.class);

	private final CredentialsChecker credentials;

	private final HubSecurityProperties properties;

	private final VerifiedCredentials verified;

	MqttUserAuthenticator(CredentialsChecker credentials, HubSecurityProperties properties) {
		this.credentials = credentials;
		this.properties = properties;
		HubSecurityProperties.Connect connect = properties.getConnect();
		this.verified = new VerifiedCredentials(connect.getCacheTtl(), connect.getCacheSize(), System::nanoTime);
	}

	@Override
	public boolean allowsAnonymous() {
		return this.properties.isAllowAnonymous();
	}

	@Override
	public ConnectCheckLimits limits() {
		HubSecurityProperties.Connect connect = this.properties.getConnect();
		return new ConnectCheckLimits(connect.effectiveThreads(), connect.getQueueCapacity(),
				connect.getRatePerAddress(), connect.getBurstPerAddress(), connect.getRate(), connect.getBurst());
	}

	@Override
	public Precheck precheck(String clientId, String username, byte[] password, String remoteAddress) {
		if (username == null || password == null || this.credentials.isLockedOut(username, remoteAddress)) {
			// Nothing to hash, or refused whatever the password: answered without a hash. The
			// lock-out was logged when it began; one line per refused attempt would flood the log.
			return Precheck.REFUSE;
		}
		return this.verified.contains(username, password) ? Precheck.ACCEPT : Precheck.CHECK;
	}

	@Override
	public boolean authenticate(String clientId, String username, byte[] password, String remoteAddress) {
		long generation = this.verified.generation();
		String text = (password != null) ? decode(password) : null;
		boolean valid = this.credentials.check(username, text, remoteAddress, "MQTT").isPresent();
		if (valid) {
			this.verified.remember(username, password, generation);
		}
		else {
			logger.info("MQTT connection from {} refused for user name '{}' (client id '{}'): bad user name or password",
					LogSafe.text(remoteAddress), LogSafe.text(username), LogSafe.text(clientId));
		}
		return valid;
	}

	/** Any change to a user (password, role, enabled, deleted) drops what was remembered of it. */
	@EventListener
	void usersChanged(UsersChangedEvent event) {
		this.verified.forget(event.username());
	}

	/** Again once the change is committed, against a check that read the user just before. */
	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
	void usersChangeCommitted(UsersChangedEvent event) {
		this.verified.forget(event.username());
	}

	/** For tests: the entries remembered now. */
	VerifiedCredentials verified() {
		return this.verified;
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

package com.mqtthub.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

import javax.net.ssl.KeyManagerFactory;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * Builds the broker's server-side TLS context from the configured keystore, and fails with a
 * sentence that says what is wrong instead of letting the broker start without TLS.
 */
final class TlsContextFactory {

	private TlsContextFactory() {
	}

	static SslContext create(BrokerProperties.Tls tls) {
		Path path = tls.getKeystore();
		if (!Files.isReadable(path)) {
			throw new TlsConfigurationException("The TLS keystore " + path.toAbsolutePath()
					+ " (mqtthub.broker.tls.keystore) does not exist or cannot be read.", null);
		}
		if (tls.getKeystorePassword() == null) {
			throw new TlsConfigurationException(
					"The TLS keystore " + path + " is set but mqtthub.broker.tls.keystore-password is not.", null);
		}
		char[] storePassword = tls.getKeystorePassword().toCharArray();
		char[] keyPassword = (tls.getKeyPassword() != null) ? tls.getKeyPassword().toCharArray() : storePassword;
		KeyStore keyStore;
		try (InputStream in = Files.newInputStream(path)) {
			keyStore = KeyStore.getInstance(tls.getKeystoreType());
			keyStore.load(in, storePassword);
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new TlsConfigurationException("The TLS keystore " + path + " cannot be opened as "
					+ tls.getKeystoreType() + " (wrong type or wrong keystore password?): " + ex.getMessage(), ex);
		}
		try {
			boolean hasKey = false;
			for (String alias : Collections.list(keyStore.aliases())) {
				hasKey |= keyStore.isKeyEntry(alias);
			}
			if (!hasKey) {
				throw new TlsConfigurationException(
						"The TLS keystore " + path + " holds no private key with its certificate.", null);
			}
			KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			keyManagers.init(keyStore, keyPassword);
			return SslContextBuilder.forServer(keyManagers).sslProvider(SslProvider.JDK).build();
		}
		catch (UnrecoverableKeyException ex) {
			throw new TlsConfigurationException("The private key in the TLS keystore " + path
					+ " cannot be read with the key password (mqtthub.broker.tls.key-password).", ex);
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new TlsConfigurationException(
					"The TLS keystore " + path + " cannot be used: " + ex.getMessage(), ex);
		}
	}

}

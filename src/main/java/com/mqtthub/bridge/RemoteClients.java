package com.mqtthub.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import com.mqtthub.bridge.BridgesProperties.Bridge;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/** How a bridge uses the Paho client: connect options, TLS trust, closing, errors in words. */
final class RemoteClients {

	private RemoteClients() {
	}

	/** @param addresses the addresses to try, in this order (see {@link AddressRotation}) */
	static MqttConnectOptions options(Bridge definition, List<String> addresses, char[] password,
			SSLSocketFactory socketFactory) {
		MqttConnectOptions options = new MqttConnectOptions();
		options.setServerURIs(addresses.toArray(String[]::new));
		options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
		options.setCleanSession(definition.isCleanSession());
		options.setKeepAliveInterval((int) definition.getKeepAlive().toSeconds());
		options.setConnectionTimeout((int) definition.getConnectTimeout().toSeconds());
		// The bridge reconnects itself, with its own back-off.
		options.setAutomaticReconnect(false);
		// One more than the window, so that Paho never refuses a publish the window allows.
		options.setMaxInflight(definition.getInFlight() + 1);
		if (definition.getUsername() != null) {
			options.setUserName(definition.getUsername());
		}
		if (password != null) {
			options.setPassword(password.clone());
		}
		if (socketFactory != null) {
			options.setSocketFactory(socketFactory);
		}
		return options;
	}

	static void close(MqttAsyncClient client) {
		if (client == null) {
			return;
		}
		try {
			if (client.isConnected()) {
				client.disconnect(0).waitForCompletion(2_000);
			}
		}
		catch (MqttException ex) {
			// closing anyway
		}
		try {
			client.disconnectForcibly(0, 0, false);
		}
		catch (MqttException ex) {
			// already closed
		}
		try {
			client.close(true);
		}
		catch (MqttException ex) {
			// already closed
		}
	}

	/** A sentence for the state and the log; Paho's messages are fixed texts, not remote data. */
	static String describe(MqttException ex) {
		Throwable cause = ex.getCause();
		String because = (cause != null) ? " (" + cause.getClass().getSimpleName()
				+ ((cause.getMessage() != null) ? ": " + cause.getMessage() : "") + ")" : "";
		String text = switch (ex.getReasonCode()) {
			case MqttException.REASON_CODE_FAILED_AUTHENTICATION, MqttException.REASON_CODE_NOT_AUTHORIZED ->
				"the remote refused the user name or password (CONNACK " + (ex.getReasonCode() & 0xff) + ")";
			case MqttException.REASON_CODE_INVALID_CLIENT_ID -> "the remote refused the client id";
			case MqttException.REASON_CODE_BROKER_UNAVAILABLE -> "the remote is unavailable";
			case MqttException.REASON_CODE_CLIENT_TIMEOUT -> "the remote did not answer in time";
			case MqttException.REASON_CODE_SERVER_CONNECT_ERROR -> "cannot reach the remote" + because;
			case MqttException.REASON_CODE_CLIENT_NOT_CONNECTED, MqttException.REASON_CODE_CONNECTION_LOST ->
				"the connection to the remote was lost" + because;
			default -> (cause instanceof javax.net.ssl.SSLException || cause instanceof java.net.SocketException)
					? "the connection failed, a TLS or protocol mismatch?" + because
					: "the connection failed: " + ex.getMessage() + because;
		};
		return text.replaceAll("\\p{Cntrl}", "?");
	}

	/** Null when neither a trust store nor a key store is set: Paho then uses the JVM's defaults. */
	static SSLSocketFactory socketFactory(Bridge definition) {
		BridgesProperties.Tls tls = definition.getTls();
		if (tls.getTruststore() == null && tls.getKeystore() == null) {
			return null;
		}
		TrustManager[] trust = null;
		KeyManager[] keys = null;
		if (tls.getTruststore() != null) {
			try {
				TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
				factory.init(load(tls.getTruststore(), tls.getTruststoreType(), tls.getTruststorePassword()));
				trust = factory.getTrustManagers();
			}
			catch (IOException | GeneralSecurityException ex) {
				throw new IllegalStateException("Bridge '" + definition.getName() + "': cannot use the trust store "
						+ tls.getTruststore() + ": " + ex.getMessage(), ex);
			}
		}
		if (tls.getKeystore() != null) {
			try {
				char[] secret = (tls.getKeystorePassword() != null) ? tls.getKeystorePassword().toCharArray()
						: new char[0];
				KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
				factory.init(load(tls.getKeystore(), tls.getKeystoreType(), tls.getKeystorePassword()), secret);
				keys = factory.getKeyManagers();
			}
			catch (IOException | GeneralSecurityException ex) {
				throw new IllegalStateException("Bridge '" + definition.getName() + "': cannot use the key store "
						+ tls.getKeystore() + ": " + ex.getMessage(), ex);
			}
		}
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(keys, trust, null);
			return context.getSocketFactory();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Bridge '" + definition.getName() + "': cannot set up TLS: "
					+ ex.getMessage(), ex);
		}
	}

	private static KeyStore load(java.nio.file.Path file, String type, String password)
			throws IOException, GeneralSecurityException {
		try (InputStream in = Files.newInputStream(file)) {
			KeyStore store = KeyStore.getInstance(type);
			store.load(in, (password != null) ? password.toCharArray() : null);
			return store;
		}
	}

}

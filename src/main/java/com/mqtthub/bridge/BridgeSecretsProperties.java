package com.mqtthub.bridge;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The key that encrypts the passwords of bridges stored in the database
 * ({@code mqtthub.bridge-secrets}); see docs/bridges.md.
 */
@ConfigurationProperties("mqtthub.bridge-secrets")
public class BridgeSecretsProperties {

	/**
	 * A 256-bit AES key in Base64 (e.g. from the environment variable
	 * MQTTHUB_BRIDGESECRETS_KEY); when unset, the key file is used.
	 */
	private String key;

	/** The key file, created (0600) on first use; default bridge-secrets.key in the data directory. */
	private Path keyFile;

	public String getKey() {
		return this.key;
	}

	public void setKey(String key) {
		this.key = key;
	}

	public Path getKeyFile() {
		return this.keyFile;
	}

	public void setKeyFile(Path keyFile) {
		this.keyFile = keyFile;
	}

}

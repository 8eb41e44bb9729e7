package com.mqtthub.bridge;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeSecretsTest {

	@TempDir
	Path directory;

	@Test
	void createsAPrivateKeyFileOnFirstUseAndDecryptsWithIt() throws Exception {
		Path keyFile = this.directory.resolve("data/bridge-secrets.key");
		BridgeSecrets secrets = new BridgeSecrets(null, keyFile);
		assertThat(keyFile).doesNotExist();
		String sealed = secrets.encrypt("remote secret", "cloud", "password");
		assertThat(keyFile).exists();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
		assertThat(sealed).startsWith("v1:").doesNotContain("remote secret");
		assertThat(secrets.encrypt("remote secret", "cloud", "password")).as("a fresh nonce each time")
			.isNotEqualTo(sealed);
		// Another process (a restart) reads the same key file.
		assertThat(new BridgeSecrets(null, keyFile).decrypt(sealed, "cloud", "password")).isEqualTo("remote secret");
	}

	@Test
	void aValueIsBoundToItsBridgeAndFieldAndKey() {
		BridgeSecrets secrets = new BridgeSecrets(null, this.directory.resolve("k"));
		String sealed = secrets.encrypt("remote secret", "cloud", "password");
		assertThatThrownBy(() -> secrets.decrypt(sealed, "other", "password")).isInstanceOf(IllegalStateException.class);
		assertThatThrownBy(() -> secrets.decrypt(sealed, "cloud", "truststore-password"))
			.isInstanceOf(IllegalStateException.class);
		BridgeSecrets otherKey = new BridgeSecrets(null, this.directory.resolve("other-key"));
		otherKey.encrypt("x", "y", "z");
		assertThatThrownBy(() -> otherKey.decrypt(sealed, "cloud", "password")).isInstanceOf(IllegalStateException.class);
		assertThatThrownBy(() -> secrets.decrypt("v1:AAAA", "cloud", "password"))
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aConfiguredKeyIsUsedInsteadOfTheFile() {
		String key = Base64.getEncoder().encodeToString(new byte[32]);
		Path keyFile = this.directory.resolve("unused.key");
		String sealed = new BridgeSecrets(key, keyFile).encrypt("s3", "b", "password");
		assertThat(keyFile).doesNotExist();
		assertThat(new BridgeSecrets(key, keyFile).decrypt(sealed, "b", "password")).isEqualTo("s3");
		assertThatThrownBy(() -> new BridgeSecrets("too-short", keyFile).encrypt("s3", "b", "password"))
			.hasMessageContaining("256-bit key");
	}

}

package com.mqtthub.bridge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the passwords of stored bridges (AES-256-GCM, a fresh 96-bit nonce each time, the
 * bridge's name and the field as associated data so a value cannot be moved to another bridge or
 * field). The key comes from {@code mqtthub.bridge-secrets.key} or from a key file in the data
 * directory that is created, readable by this user only, the first time a password is stored.
 */
final class BridgeSecrets {

	private static final String PREFIX = "v1:";

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final int KEY_BYTES = 32;

	private final String configuredKey;

	private final Path keyFile;

	private final SecureRandom random = new SecureRandom();

	private SecretKey key;

	BridgeSecrets(String configuredKey, Path keyFile) {
		this.configuredKey = (configuredKey != null && !configuredKey.isBlank()) ? configuredKey.trim() : null;
		this.keyFile = keyFile;
	}

	/** A value to store for {@code secret}, bound to this bridge and field. */
	String encrypt(String secret, String bridge, String field) {
		try {
			byte[] nonce = new byte[NONCE_BYTES];
			this.random.nextBytes(nonce);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, key(true), new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(context(bridge, field));
			byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
			byte[] stored = new byte[NONCE_BYTES + sealed.length];
			System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
			System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
			return PREFIX + Base64.getEncoder().encodeToString(stored);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot encrypt with AES-GCM: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The secret of a stored value.
	 * @throws IllegalStateException when it cannot be decrypted (another key, or changed)
	 */
	String decrypt(String stored, String bridge, String field) {
		SecretKey secretKey = key(false);
		if (secretKey == null || !stored.startsWith(PREFIX)) {
			throw new IllegalStateException("no key to decrypt it");
		}
		try {
			byte[] bytes = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, secretKey, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
			cipher.updateAAD(context(bridge, field));
			return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new IllegalStateException("not encrypted with this key", ex);
		}
	}

	private static byte[] context(String bridge, String field) {
		return ("mqtthub-bridge:" + bridge + ":" + field).getBytes(StandardCharsets.UTF_8);
	}

	/** The key; created in the key file when {@code create} and there is none yet (else null). */
	private synchronized SecretKey key(boolean create) {
		if (this.key != null) {
			return this.key;
		}
		if (this.configuredKey != null) {
			this.key = aes(decodeKey(this.configuredKey, "mqtthub.bridge-secrets.key"));
			return this.key;
		}
		try {
			if (Files.exists(this.keyFile)) {
				this.key = aes(decodeKey(Files.readString(this.keyFile, StandardCharsets.US_ASCII).trim(),
						"the key file " + this.keyFile.toAbsolutePath()));
			}
			else if (create) {
				this.key = aes(createKeyFile());
			}
			return this.key;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read or create the key file " + this.keyFile.toAbsolutePath(), ex);
		}
	}

	private byte[] createKeyFile() throws IOException {
		byte[] bytes = new byte[KEY_BYTES];
		this.random.nextBytes(bytes);
		Files.createDirectories(this.keyFile.toAbsolutePath().getParent());
		try {
			// Created with its permissions, never readable by others for a moment.
			if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
				Files.createFile(this.keyFile,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			}
			else {
				Files.createFile(this.keyFile);
			}
		}
		catch (FileAlreadyExistsException ex) {
			// Another process made it meanwhile: use that one.
			return decodeKey(Files.readString(this.keyFile, StandardCharsets.US_ASCII).trim(),
					"the key file " + this.keyFile.toAbsolutePath());
		}
		Files.writeString(this.keyFile, Base64.getEncoder().encodeToString(bytes) + "\n", StandardCharsets.US_ASCII);
		return bytes;
	}

	private static byte[] decodeKey(String base64, String where) {
		byte[] bytes;
		try {
			bytes = Base64.getDecoder().decode(base64);
		}
		catch (IllegalArgumentException ex) {
			bytes = new byte[0];
		}
		if (bytes.length != KEY_BYTES) {
			throw new IllegalStateException(where + " must hold a 256-bit key in Base64 (44 characters)");
		}
		return bytes;
	}

	private static SecretKey aes(byte[] bytes) {
		return new SecretKeySpec(bytes, "AES");
	}

}

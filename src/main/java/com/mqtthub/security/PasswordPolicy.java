package com.mqtthub.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a password must be: at least {@value #MIN_LENGTH} characters and at most
 * {@value #MAX_BYTES} bytes, not containing the user name and not one of the common passwords
 * shipped in {@value #COMMON_PASSWORDS} (both without regard to case). The same rule for the web
 * form, the API and the first administrator.
 */
public final class PasswordPolicy {

	public static final int MIN_LENGTH = 10;

	/** bcrypt reads at most 72 bytes. */
	public static final int MAX_BYTES = 72;

	static final String COMMON_PASSWORDS = "security/common-passwords.txt";

	private static final Set<String> COMMON = load();

	private PasswordPolicy() {
	}

	/** Why this password is refused for this user, or empty when it is acceptable. */
	public static Optional<String> problem(String username, String password) {
		if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH) {
			return Optional.of("A password has at least " + MIN_LENGTH + " characters");
		}
		if (password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
			return Optional.of("A password has at most " + MAX_BYTES + " bytes (UTF-8)");
		}
		String lower = password.toLowerCase(Locale.ROOT);
		if (username != null && !username.isEmpty() && lower.contains(username.toLowerCase(Locale.ROOT))) {
			return Optional.of("A password must not contain the user name");
		}
		if (COMMON.contains(lower)) {
			return Optional.of("This password is on the list of common passwords");
		}
		return Optional.empty();
	}

	static int commonPasswords() {
		return COMMON.size();
	}

	private static Set<String> load() {
		Set<String> common = new HashSet<>();
		try (InputStream in = PasswordPolicy.class.getClassLoader().getResourceAsStream(COMMON_PASSWORDS)) {
			if (in == null) {
				throw new IllegalStateException("The list of common passwords is missing from the application");
			}
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				if (!line.isBlank() && !line.startsWith("#")) {
					common.add(line.trim().toLowerCase(Locale.ROOT));
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return Set.copyOf(common);
	}

}

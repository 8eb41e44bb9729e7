package com.mqtthub.security;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordPolicyTest {

	@Test
	void refusesShortCommonAndNameBasedPasswords() {
		assertThat(PasswordPolicy.problem("alice", "12345678")).hasValueSatisfying(
				(p) -> assertThat(p).contains("at least 10"));
		assertThat(PasswordPolicy.problem("alice", "password")).isPresent();
		assertThat(PasswordPolicy.problem("alice", "1234567890")).hasValueSatisfying(
				(p) -> assertThat(p).contains("common"));
		assertThat(PasswordPolicy.problem("alice", "QwertyUIOP")).hasValueSatisfying(
				(p) -> assertThat(p).contains("common"));
		assertThat(PasswordPolicy.problem("alice", "Password2024")).isPresent();
		assertThat(PasswordPolicy.problem("alice", "alice-is-here")).hasValueSatisfying(
				(p) -> assertThat(p).contains("user name"));
		assertThat(PasswordPolicy.problem("Admin", "xxADMINxxyy")).isPresent();
		assertThat(PasswordPolicy.problem("alice", "x".repeat(73))).isPresent();
	}

	@Test
	void acceptsALongUncommonPassword() {
		assertThat(PasswordPolicy.problem("alice", "tiger lily at noon")).isEmpty();
		// Ten characters, counted as characters, not bytes.
		assertThat(PasswordPolicy.problem("alice", "密码密码密码密码密码")).isEmpty();
	}

	@Test
	void shipsAListOfThousandsOfCommonPasswords() {
		assertThat(PasswordPolicy.commonPasswords()).isGreaterThan(2000);
	}

	@RepeatedTest(20)
	void theGeneratedFirstAdministratorPasswordPasses() {
		assertThat(PasswordPolicy.problem("admin", InitialAdministrator.generatePassword("admin"))).isEmpty();
	}

}

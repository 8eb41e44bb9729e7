package com.mqtthub.security;

import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Makes sure the hub can be administered: on a start with no administrator in the user
 * database, creates one. Its password comes from {@code mqtthub.security.admin.password}, or is
 * generated and printed once; there is no default password.
 */
@Component
class InitialAdministrator implements InitializingBean {

	private static final Logger logger = LoggerFactory.getLogger(InitialAdministrator.class);

	private final UserRepository users;

	private final UserService userService;

	private final HubSecurityProperties properties;

	InitialAdministrator(UserRepository users, UserService userService, HubSecurityProperties properties) {
		this.users = users;
		this.userService = userService;
		this.properties = properties;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.users.anyAdmin()) {
			return;
		}
		String username = this.properties.getAdmin().getUsername();
		String configured = this.properties.getAdmin().getPassword();
		if (this.users.find(username).isPresent()) {
			throw new IllegalStateException("The user database has no administrator, and the user '" + username
					+ "' (mqtthub.security.admin.username) exists with another role: "
					+ "set mqtthub.security.admin.username to a free name");
		}
		if (configured != null && !configured.isEmpty()) {
			PasswordPolicy.problem(username, configured).ifPresent((problem) -> {
				throw new IllegalStateException("mqtthub.security.admin.password (MQTTHUB_SECURITY_ADMIN_PASSWORD) is refused: "
						+ problem + ". Choose another before the first start");
			});
			this.userService.create(username, configured, Role.ADMIN, true);
			logger.info("Created the administrator '{}' with the password from mqtthub.security.admin.password",
					username);
			return;
		}
		String generated = generatePassword(username);
		this.userService.create(username, generated, Role.ADMIN, true);
		logger.warn("""

				**************************************************************************
				Created the administrator '{}' with the generated password:

				    {}

				It is shown this once only. Log in and change it on the admin pages, or
				set MQTTHUB_SECURITY_ADMIN_PASSWORD before the first start next time.
				**************************************************************************""", username, generated);
	}

	/** 24 random characters (144 bits), drawn again in the unlikely case the policy refuses them. */
	static String generatePassword(String username) {
		SecureRandom random = new SecureRandom();
		while (true) {
			byte[] bytes = new byte[18];
			random.nextBytes(bytes);
			String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
			if (PasswordPolicy.problem(username, password).isEmpty()) {
				return password;
			}
		}
	}

}

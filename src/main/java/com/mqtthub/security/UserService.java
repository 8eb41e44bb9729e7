package com.mqtthub.security;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Manages the hub's users. Passwords are hashed here and go nowhere else.
 */
@Service
public class UserService {

	/** Letters, digits and {@code . _ @ -}: no MQTT wildcard or level separator, so {@code %u} stays literal. */
	public static final String USERNAME_PATTERN = "[A-Za-z0-9._@-]{1,64}";

	public static final int MIN_PASSWORD_LENGTH = 8;

	/** bcrypt reads at most 72 bytes. */
	public static final int MAX_PASSWORD_BYTES = 72;

	private static final Pattern USERNAME = Pattern.compile(USERNAME_PATTERN);

	private static final Logger logger = LoggerFactory.getLogger(UserService.class);

	private final UserRepository users;

	private final PasswordEncoder passwordEncoder;

	private final ApplicationEventPublisher events;

	UserService(UserRepository users, PasswordEncoder passwordEncoder, ApplicationEventPublisher events) {
		this.users = users;
		this.passwordEncoder = passwordEncoder;
		this.events = events;
	}

	public List<UserSummary> list() {
		return this.users.findAll().stream().map(HubUser::summary).toList();
	}

	public Optional<UserSummary> find(String username) {
		return this.users.find(username).map(HubUser::summary);
	}

	public UserSummary get(String username) {
		return find(username).orElseThrow(() -> new NoSuchUserException(username));
	}

	@Transactional
	public UserSummary create(String username, String password, Role role, boolean enabled) {
		checkUsername(username);
		checkPassword(password);
		if (this.users.find(username).isPresent()) {
			throw new UserOperationRefusedException("A user named '" + username + "' already exists");
		}
		this.users.insert(username, this.passwordEncoder.encode(password), role, enabled);
		logger.info("User '{}' created with role {}{}", username, role, enabled ? "" : " (disabled)");
		changed(username);
		return get(username);
	}

	@Transactional
	public void changePassword(String username, String password) {
		checkPassword(password);
		if (this.users.updatePassword(username, this.passwordEncoder.encode(password)) == 0) {
			throw new NoSuchUserException(username);
		}
		logger.info("Password of user '{}' changed", username);
		changed(username);
	}

	@Transactional
	public UserSummary update(String username, Role role, boolean enabled) {
		HubUser user = this.users.find(username).orElseThrow(() -> new NoSuchUserException(username));
		boolean stopsBeingAnAdmin = user.role() == Role.ADMIN && user.enabled() && (role != Role.ADMIN || !enabled);
		if (stopsBeingAnAdmin && this.users.countEnabledAdmins() <= 1) {
			throw new UserOperationRefusedException(
					"'" + username + "' is the last enabled administrator: the hub would have none left");
		}
		this.users.updateRoleAndEnabled(username, role, enabled);
		logger.info("User '{}' now has role {} and is {}", username, role, enabled ? "enabled" : "disabled");
		changed(username);
		return get(username);
	}

	@Transactional
	public void delete(String username) {
		HubUser user = this.users.find(username).orElseThrow(() -> new NoSuchUserException(username));
		if (user.role() == Role.ADMIN && user.enabled() && this.users.countEnabledAdmins() <= 1) {
			throw new UserOperationRefusedException(
					"'" + username + "' is the last enabled administrator: the hub would have none left");
		}
		this.users.delete(username);
		logger.info("User '{}' deleted", username);
		changed(username);
	}

	private void changed(String username) {
		this.events.publishEvent(new UsersChangedEvent(username));
	}

	private static void checkUsername(String username) {
		if (username == null || !USERNAME.matcher(username).matches()) {
			throw new UserOperationRefusedException(
					"A user name has 1 to 64 letters, digits, '.', '_', '@' or '-'");
		}
	}

	static void checkPassword(String password) {
		if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
			throw new UserOperationRefusedException(
					"A password has at least " + MIN_PASSWORD_LENGTH + " characters");
		}
		if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
			throw new UserOperationRefusedException(
					"A password has at most " + MAX_PASSWORD_BYTES + " bytes (UTF-8)");
		}
	}

}

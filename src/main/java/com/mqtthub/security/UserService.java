package com.mqtthub.security;

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
		checkPassword(username, password);
		if (this.users.find(username).isPresent()) {
			throw new UserOperationRefusedException("A user named '" + username + "' already exists");
		}
		this.users.insert(username, this.passwordEncoder.encode(password), role, enabled);
		logger.info("User '{}' created with role {}{}", username, role, enabled ? "" : " (disabled)");
		changed(username, false);
		return get(username);
	}

	@Transactional
	public void changePassword(String username, String password) {
		checkPassword(username, password);
		if (this.users.updatePassword(username, this.passwordEncoder.encode(password)) == 0) {
			throw new NoSuchUserException(username);
		}
		logger.info("Password of user '{}' changed", username);
		changed(username, true);
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
		boolean demoted = user.role() == Role.ADMIN && role != Role.ADMIN;
		changed(username, demoted || (user.enabled() && !enabled));
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
		changed(username, true);
	}

	private void changed(String username, boolean revokesAccess) {
		this.events.publishEvent(new UsersChangedEvent(username, revokesAccess));
	}

	private static void checkUsername(String username) {
		if (username == null || !USERNAME.matcher(username).matches()) {
			throw new UserOperationRefusedException(
					"A user name has 1 to 64 letters, digits, '.', '_', '@' or '-'");
		}
	}

	static void checkPassword(String username, String password) {
		PasswordPolicy.problem(username, password).ifPresent((problem) -> {
			throw new WeakPasswordException(problem);
		});
	}

}

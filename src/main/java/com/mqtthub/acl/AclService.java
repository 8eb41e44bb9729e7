package com.mqtthub.acl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.mqtthub.security.NoSuchUserException;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import com.mqtthub.security.UserSummary;
import com.mqtthub.security.UsersChangedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Topic permissions: managing the rules, and deciding with them.
 * <p>
 * Order of evaluation for a user: the user's own rules, then the rules of the user's role, each
 * by position; the first rule whose action and topic filter match decides. When none matches, an
 * administrator is allowed and everyone else denied. A disabled or deleted user is denied
 * everything. Clients without a user name (only possible with anonymous MQTT allowed) follow the
 * rules of role {@value AclRule#ANONYMOUS}, and are denied when none matches.
 * <p>
 * Decisions come from an in-memory copy of the rules and users, rebuilt after every change, so
 * the broker never waits for the database.
 */
@Service
public class AclService {

	public static final Set<String> RULE_ROLES = Set.of(Role.ADMIN.name(), Role.USER.name(), AclRule.ANONYMOUS);

	private static final Logger logger = LoggerFactory.getLogger(AclService.class);

	private final AclRuleRepository rules;

	private final UserService users;

	private volatile Snapshot snapshot;

	/** Grows with every change of the rules or users, so that cached decisions can tell they are old. */
	private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();

	/**
	 * Transactions spelled out rather than declared: an annotation would put a proxy in front of
	 * every method, {@link #decide} and {@link #version} included, which run for every message.
	 */
	private final TransactionTemplate transactions;

	AclService(AclRuleRepository rules, UserService users, PlatformTransactionManager transactionManager) {
		this.rules = rules;
		this.users = users;
		this.transactions = new TransactionTemplate(transactionManager);
	}

	public List<AclRule> list() {
		return this.rules.findAll();
	}

	public List<AclRule> rulesOfUser(String username) {
		return this.rules.findAll().stream().filter((rule) -> username.equals(rule.username())).toList();
	}

	public AclRule create(String username, String role, String topicPattern, Access access, Permission permission,
			Integer position) {
		return this.transactions.execute((status) -> insert(username, role, topicPattern, access, permission, position));
	}

	private AclRule insert(String username, String role, String topicPattern, Access access, Permission permission,
			Integer position) {
		if ((username == null) == (role == null)) {
			throw new IllegalArgumentException("A rule is for either a user or a role");
		}
		if (username != null) {
			this.users.get(username);
		}
		else if (!RULE_ROLES.contains(role)) {
			throw new IllegalArgumentException("The role of a rule is one of " + RULE_ROLES);
		}
		if (!isValidPattern(topicPattern)) {
			throw new IllegalArgumentException("'" + topicPattern + "' is not a valid MQTT topic filter");
		}
		int order = (position != null) ? position : this.rules.nextPosition(username, role);
		long id = this.rules.insert(username, role, topicPattern, access, permission, order);
		AclRule rule = this.rules.find(id).orElseThrow();
		logger.info("Topic rule added: {}", rule.describe());
		refresh();
		return rule;
	}

	public void delete(long id) {
		this.transactions.executeWithoutResult((status) -> {
			if (this.rules.delete(id) == 0) {
				throw new NoSuchRuleException(id);
			}
			logger.info("Topic rule #{} deleted", id);
			refresh();
		});
	}

	/** Whether a topic pattern (with {@code %u} and {@code %c} in it) makes a valid topic filter. */
	public static boolean isValidPattern(String pattern) {
		return pattern != null && pattern.length() <= 512
				&& TopicFilters.isValidFilter(pattern.replace("%u", "u").replace("%c", "c"));
	}

	/** Changes whenever the rules or the users change. */
	public long version() {
		return this.version.get();
	}

	/**
	 * Decides whether a client may do {@code action} with {@code topic} (a topic name for
	 * PUBLISH and for receiving a message, a topic filter for SUBSCRIBE).
	 * <p>
	 * A SUBSCRIBE is granted when the first rule that applies to its filter allows some topic
	 * under it, and refused only when the first such rule denies every topic under it; a deny
	 * rule for part of the filter does not stop it (every message is checked on delivery, by the
	 * same rules, with its topic name). So {@code #} is granted next to "deny {@code secret/#}",
	 * and {@code secret/#} is refused.
	 *
	 * @param username the user name, or {@code null} for an anonymous client
	 */
	public AccessDecision decide(String username, String clientId, String topic, Action action) {
		Snapshot current = snapshot();
		List<AclRule> candidates;
		boolean admin = false;
		if (username == null) {
			candidates = current.byRole().getOrDefault(AclRule.ANONYMOUS, List.of());
		}
		else {
			UserSummary user = current.users().get(username);
			if (user == null) {
				return new AccessDecision(false, null, "no such user");
			}
			if (!user.enabled()) {
				return new AccessDecision(false, null, "the user is disabled");
			}
			admin = user.role() == Role.ADMIN;
			candidates = new ArrayList<>(current.byUser().getOrDefault(username, List.of()));
			candidates.addAll(current.byRole().getOrDefault(user.role().name(), List.of()));
		}
		for (AclRule rule : candidates) {
			if (rule.access().covers(action) && applies(rule, username, clientId, topic)) {
				return new AccessDecision(rule.permission() == Permission.ALLOW, rule, "rule " + rule.describe());
			}
		}
		return admin ? new AccessDecision(true, null, "default for administrators: allow")
				: new AccessDecision(false, null, "no rule matched: deny");
	}

	/**
	 * Whether a rule decides for {@code topic}: an allow rule when it matches some topic under it
	 * (for a topic name: the topic), a deny rule when it matches every topic under it.
	 */
	private static boolean applies(AclRule rule, String username, String clientId, String topic) {
		boolean deny = rule.permission() == Permission.DENY;
		String pattern = rule.topicPattern();
		if (pattern.contains("%u")) {
			if (!isLiteralLevel(username)) {
				// A name that is missing or would widen the filter: deny rules apply, allow rules do not.
				return deny;
			}
			pattern = pattern.replace("%u", username);
		}
		if (pattern.contains("%c")) {
			if (!isLiteralLevel(clientId)) {
				return deny;
			}
			pattern = pattern.replace("%c", clientId);
		}
		return deny ? TopicFilters.covers(pattern, topic) : TopicFilters.overlaps(pattern, topic);
	}

	private static boolean isLiteralLevel(String value) {
		return value != null && !value.isEmpty() && value.indexOf('/') < 0 && value.indexOf('+') < 0
				&& value.indexOf('#') < 0;
	}

	@EventListener
	void usersChanged(UsersChangedEvent event) {
		refresh();
	}

	private Snapshot snapshot() {
		Snapshot current = this.snapshot;
		return (current != null) ? current : refresh();
	}

	private synchronized Snapshot refresh() {
		Comparator<AclRule> order = Comparator.comparingInt(AclRule::position).thenComparingLong(AclRule::id);
		List<AclRule> all = this.rules.findAll().stream().sorted(order).toList();
		Map<String, List<AclRule>> byUser = all.stream()
			.filter((rule) -> rule.username() != null)
			.collect(Collectors.groupingBy(AclRule::username));
		Map<String, List<AclRule>> byRole = all.stream()
			.filter((rule) -> rule.role() != null)
			.collect(Collectors.groupingBy(AclRule::role));
		Map<String, UserSummary> users = this.users.list()
			.stream()
			.collect(Collectors.toMap(UserSummary::username, Function.identity()));
		Snapshot fresh = new Snapshot(byUser, byRole, users);
		this.snapshot = fresh;
		this.version.incrementAndGet();
		return fresh;
	}

	private record Snapshot(Map<String, List<AclRule>> byUser, Map<String, List<AclRule>> byRole,
			Map<String, UserSummary> users) {

	}

}

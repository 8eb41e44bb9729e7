package com.mqtthub.admin;

import java.util.List;
import java.util.Locale;

import com.mqtthub.acl.Access;
import com.mqtthub.acl.AclRule;
import com.mqtthub.acl.AclService;
import com.mqtthub.acl.Action;
import com.mqtthub.acl.Permission;
import com.mqtthub.security.LoginAttemptGuard;
import com.mqtthub.security.NoSuchUserException;
import com.mqtthub.security.Role;
import com.mqtthub.security.UserOperationRefusedException;
import com.mqtthub.security.UserService;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The admin pages: users, their topic rules, role rules and the access check. Plain forms that
 * post and redirect, each protected by the CSRF token Spring Security adds to them.
 */
@Controller
@RequestMapping("/admin")
class AdminPageController {

	private static final String NOTICE = "notice";

	private static final String PROBLEM = "problem";

	private final UserService users;

	private final AclService acl;

	private final LoginAttemptGuard lockouts;

	AdminPageController(UserService users, AclService acl, LoginAttemptGuard lockouts) {
		this.users = users;
		this.acl = acl;
		this.lockouts = lockouts;
	}

	@GetMapping({ "", "/" })
	String home() {
		return "redirect:/admin/users";
	}

	@GetMapping("/users")
	String users(Model model) {
		model.addAttribute("users", this.users.list());
		model.addAttribute("roles", Role.values());
		model.addAttribute("lockouts", this.lockouts.lockouts());
		return "admin/users";
	}

	@PostMapping("/lockouts/clear")
	String clearLockout(@RequestParam(required = false) String username, @RequestParam String address,
			RedirectAttributes redirect) {
		// Never "clear everything" from a form that lost a field: an address is required here.
		if (!address.isBlank()) {
			this.lockouts.clear((username == null || username.isBlank()) ? null : username, address);
			redirect.addFlashAttribute(NOTICE, "admin.notice.lockoutCleared");
		}
		return "redirect:/admin/users";
	}

	@PostMapping("/users")
	String create(@RequestParam String username, @RequestParam String password, @RequestParam Role role,
			RedirectAttributes redirect) {
		try {
			this.users.create(username.trim(), password, role, true);
			redirect.addFlashAttribute(NOTICE, "admin.notice.created");
			return "redirect:/admin/users/" + username.trim();
		}
		catch (UserOperationRefusedException ex) {
			redirect.addFlashAttribute(PROBLEM, ex.getMessage());
			return "redirect:/admin/users";
		}
	}

	@GetMapping("/users/{username}")
	String user(@PathVariable String username, Model model) {
		model.addAttribute("user", this.users.get(username));
		model.addAttribute("rules", this.acl.rulesOfUser(username));
		model.addAttribute("roles", Role.values());
		return "admin/user";
	}

	@PostMapping("/users/{username}")
	String update(@PathVariable String username, @RequestParam Role role,
			@RequestParam(defaultValue = "false") boolean enabled, RedirectAttributes redirect) {
		return act(username, redirect, () -> this.users.update(username, role, enabled), "admin.notice.updated");
	}

	@PostMapping("/users/{username}/password")
	String password(@PathVariable String username, @RequestParam String password, RedirectAttributes redirect) {
		return act(username, redirect, () -> this.users.changePassword(username, password),
				"admin.notice.password");
	}

	@PostMapping("/users/{username}/delete")
	String delete(@PathVariable String username, RedirectAttributes redirect) {
		try {
			this.users.delete(username);
			redirect.addFlashAttribute(NOTICE, "admin.notice.deleted");
			return "redirect:/admin/users";
		}
		catch (UserOperationRefusedException ex) {
			redirect.addFlashAttribute(PROBLEM, ex.getMessage());
			return "redirect:/admin/users/" + username;
		}
	}

	@PostMapping("/users/{username}/rules")
	String addUserRule(@PathVariable String username, @RequestParam String topic, @RequestParam String access,
			@RequestParam String permission, RedirectAttributes redirect) {
		return act(username, redirect, () -> addRule(username, null, topic, access, permission),
				"admin.notice.ruleAdded");
	}

	@GetMapping("/rules")
	String roleRules(Model model) {
		List<AclRule> roleRules = this.acl.list().stream().filter((rule) -> rule.role() != null).toList();
		model.addAttribute("rules", roleRules);
		model.addAttribute("ruleRoles", List.of(Role.ADMIN.name(), Role.USER.name(), AclRule.ANONYMOUS));
		return "admin/rules";
	}

	@PostMapping("/rules")
	String addRoleRule(@RequestParam String role, @RequestParam String topic, @RequestParam String access,
			@RequestParam String permission, RedirectAttributes redirect) {
		try {
			addRule(null, role, topic, access, permission);
			redirect.addFlashAttribute(NOTICE, "admin.notice.ruleAdded");
		}
		catch (IllegalArgumentException ex) {
			redirect.addFlashAttribute(PROBLEM, ex.getMessage());
		}
		return "redirect:/admin/rules";
	}

	@PostMapping("/rules/{id}/delete")
	String deleteRule(@PathVariable long id, @RequestParam(required = false) String back,
			RedirectAttributes redirect) {
		this.acl.delete(id);
		redirect.addFlashAttribute(NOTICE, "admin.notice.ruleDeleted");
		return (back != null && back.matches(UserService.USERNAME_PATTERN)) ? "redirect:/admin/users/" + back
				: "redirect:/admin/rules";
	}

	@GetMapping("/access")
	String access(@RequestParam(required = false) String username,
			@RequestParam(required = false) String clientId, @RequestParam(required = false) String topic,
			@RequestParam(required = false) String action, Model model) {
		model.addAttribute("users", this.users.list());
		if (username != null && topic != null && !topic.isEmpty() && action != null) {
			Action asked = "publish".equals(action) ? Action.PUBLISH : Action.SUBSCRIBE;
			model.addAttribute("decision",
					this.acl.decide(username, (clientId != null) ? clientId : "", topic, asked));
		}
		return "admin/access";
	}

	@ExceptionHandler(NoSuchUserException.class)
	String noSuchUser(RedirectAttributes redirect, NoSuchUserException ex) {
		redirect.addFlashAttribute(PROBLEM, ex.getMessage());
		return "redirect:/admin/users";
	}

	private void addRule(String username, String role, String topic, String access, String permission) {
		this.acl.create(username, role, topic.trim(), Access.valueOf(access.toUpperCase(Locale.ROOT)),
				Permission.valueOf(permission.toUpperCase(Locale.ROOT)), null);
	}

	private String act(String username, RedirectAttributes redirect, Runnable action, String notice) {
		try {
			action.run();
			redirect.addFlashAttribute(NOTICE, notice);
		}
		catch (UserOperationRefusedException | IllegalArgumentException ex) {
			redirect.addFlashAttribute(PROBLEM, ex.getMessage());
		}
		return "redirect:/admin/users/" + username;
	}

}

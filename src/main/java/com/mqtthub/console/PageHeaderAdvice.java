package com.mqtthub.console;

import java.security.Principal;

import com.mqtthub.security.Role;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Tells the shared page header whether to show the admin pages' links: only administrators
 * get them (the pages themselves are guarded by the security configuration either way).
 */
@ControllerAdvice(annotations = Controller.class)
class PageHeaderAdvice {

	static final String ADMIN_AUTHORITY = Role.ADMIN.authority();

	@ModelAttribute("isAdmin")
	boolean isAdmin(Principal principal) {
		return principal instanceof Authentication authentication && authentication.getAuthorities()
			.stream()
			.anyMatch((authority) -> ADMIN_AUTHORITY.equals(authority.getAuthority()));
	}

}

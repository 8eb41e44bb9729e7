package com.mqtthub.security;

import java.security.Principal;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who is logged in, and the CSRF token that scripts send back with every changing request.
 */
@RestController
class SessionController {

	@GetMapping("/api/session")
	Map<String, Object> session(Principal principal, Authentication authentication, CsrfToken csrf) {
		List<String> roles = authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.map((authority) -> authority.replaceFirst("^ROLE_", ""))
			.toList();
		return Map.of("username", principal.getName(), "roles", roles, "csrfHeader", csrf.getHeaderName(),
				"csrfToken", csrf.getToken());
	}

}

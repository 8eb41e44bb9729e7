package com.mqtthub.security;

import java.util.List;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Component;

/**
 * The web login, against the user database and behind the same lock-out as MQTT.
 */
@Component
class HubAuthenticationProvider implements AuthenticationProvider {

	private final CredentialsChecker credentials;

	HubAuthenticationProvider(CredentialsChecker credentials) {
		this.credentials = credentials;
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		String username = authentication.getName();
		Object credentials = authentication.getCredentials();
		String password = (credentials != null) ? credentials.toString() : null;
		String address = (authentication.getDetails() instanceof WebAuthenticationDetails details)
				? details.getRemoteAddress() : null;
		UserSummary user = this.credentials.check(username, password, address, "web")
			.orElseThrow(() -> new BadCredentialsException("Bad user name or password"));
		UsernamePasswordAuthenticationToken result = UsernamePasswordAuthenticationToken.authenticated(
				user.username(), null, List.of(new SimpleGrantedAuthority(user.role().authority())));
		result.setDetails(authentication.getDetails());
		return result;
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
	}

}

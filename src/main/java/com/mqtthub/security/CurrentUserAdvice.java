package com.mqtthub.security;

import java.security.Principal;

import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Gives every page the logged-in user's name as the model attribute {@value #ATTRIBUTE}
 * ({@code null} on the login page), e.g. to pre-fill the console's MQTT user name.
 */
@ControllerAdvice
class CurrentUserAdvice {

	static final String ATTRIBUTE = "currentUser";

	@ModelAttribute(ATTRIBUTE)
	String currentUser(Principal principal) {
		return (principal != null) ? principal.getName() : null;
	}

}

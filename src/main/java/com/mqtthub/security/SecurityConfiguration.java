package com.mqtthub.security;

import java.time.Clock;

import com.mqtthub.relay.RelayProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.session.SessionRegistryImpl;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.session.HttpSessionEventPublisher;
import org.springframework.security.web.session.SessionInformationExpiredEvent;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

/**
 * Web security: a form login for every page and API except the login page and static assets,
 * CSRF protection, and the admin pages and user API for administrators only.
 * <p>
 * The same-origin MQTT over WebSocket endpoint needs no web session: the broker checks the MQTT
 * CONNECT's user name and password like on any other transport, and Spring's same-origin check
 * on the handshake keeps other sites' pages out.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/**
	 * Actuator endpoints, for monitoring systems: HTTP Basic with an administrator's credentials,
	 * no session. Health (up or down, without details) is open to all.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
		http.securityMatcher("/actuator/**");
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/actuator/health", "/actuator/health/**")
			.permitAll()
			.anyRequest()
			.hasRole(Role.ADMIN.name()));
		http.httpBasic(Customizer.withDefaults());
		http.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		// Read-only endpoints, without cookies: nothing for a forged request to ride on.
		http.csrf((csrf) -> csrf.disable());
		headers(http);
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain webSecurity(HttpSecurity http, RelayProperties relay, SessionRegistry sessionRegistry)
			throws Exception {
		http.authorizeHttpRequests((requests) -> requests
			// The API description and its page, wherever their files are served from.
			.requestMatchers("/v3/api-docs*", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html",
					"/webjars/swagger-ui/**")
			.hasRole(Role.ADMIN.name())
			.requestMatchers("/login", "/error", "/css/**", "/js/**", "/images/**", "/webjars/**", "/favicon.ico")
			.permitAll()
			.requestMatchers(relay.getPath())
			.permitAll()
			.requestMatchers("/admin/**", "/api/users/**", "/api/users", "/api/acl/**", "/api/lockouts")
			.hasRole(Role.ADMIN.name())
			// The broker's live state, publishing over HTTP and the API description.
			.requestMatchers("/api/metrics/**", "/api/metrics", "/api/clients/**", "/api/clients", "/api/retained",
					"/api/topics", "/api/publish", "/api/bridges", "/api/bridges/**")
			.hasRole(Role.ADMIN.name())
			.anyRequest()
			.authenticated());
		http.formLogin((form) -> form.loginPage("/login").permitAll());
		http.logout((logout) -> logout.logoutSuccessUrl("/login?logout").permitAll());
		// The API answers 401; every other request, whatever it accepts, goes to the login page.
		http.exceptionHandling((exceptions) -> exceptions
			.defaultAuthenticationEntryPointFor(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
					PathPatternRequestMatcher.withDefaults().matcher("/api/**"))
			.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"),
					AnyRequestMatcher.INSTANCE));
		// Every session is registered, so that revoking a user's access can end its sessions.
		http.sessionManagement((sessions) -> sessions.sessionFixation((fixation) -> fixation.changeSessionId())
			.maximumSessions(-1)
			.sessionRegistry(sessionRegistry)
			.expiredSessionStrategy(SecurityConfiguration::sessionEnded));
		headers(http);
		return http.build();
	}

	/**
	 * What the pages need and nothing more: scripts, styles, fonts and connections of this site
	 * (WebSocket to the broker's own ports included), no inline script or style, no framing.
	 */
	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; "
			+ "form-action 'self'";

	/**
	 * The stock Swagger UI (administrators only) adds style elements of its own: its pages alone
	 * may use inline style, never inline script.
	 */
	static final String SWAGGER_UI_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self';",
			"style-src 'self' 'unsafe-inline';");

	private static void headers(HttpSecurity http) throws Exception {
		http.headers((headers) -> headers
			.addHeaderWriter((request, response) -> response.setHeader("Content-Security-Policy",
					request.getRequestURI().startsWith(request.getContextPath() + "/swagger-ui/") ? SWAGGER_UI_POLICY
							: CONTENT_SECURITY_POLICY))
			.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)));
	}

	/** A request in a session whose user lost its access: the API answers 401, pages go to the login. */
	private static void sessionEnded(SessionInformationExpiredEvent event) throws java.io.IOException {
		HttpServletRequest request = event.getRequest();
		HttpServletResponse response = event.getResponse();
		if (request.getRequestURI().startsWith(request.getContextPath() + "/api/")) {
			response.sendError(HttpStatus.UNAUTHORIZED.value());
		}
		else {
			response.sendRedirect(request.getContextPath() + "/login?expired");
		}
	}

	@Bean
	SessionRegistry sessionRegistry() {
		return new SessionRegistryImpl();
	}

	/** Tells the session registry when sessions end, so that it does not keep them forever. */
	@Bean
	static HttpSessionEventPublisher httpSessionEventPublisher() {
		return new HttpSessionEventPublisher();
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		// bcrypt for new hashes; the {id} prefix lets stronger schemes be adopted later.
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	LoginAttemptGuard loginAttemptGuard(HubSecurityProperties properties) {
		return new LoginAttemptGuard(properties.getLockout(), Clock.systemUTC());
	}

}

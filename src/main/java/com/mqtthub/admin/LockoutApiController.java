package com.mqtthub.admin;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import com.mqtthub.security.LoginAttemptGuard;
import com.mqtthub.security.UserService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Login waits and lock-outs in force, and clearing them, for administrators. User name and
 * address are query parameters, so that any address (IPv6 too) can be named.
 */
@RestController
@RequestMapping("/api/lockouts")
@Tag(name = "Lock-outs", description = "Failed-login waits and lock-outs (administrators only)")
class LockoutApiController {

	/** Addresses as the server sees them: IPv4, IPv6 (with zone), or "unknown". */
	private static final Pattern ADDRESS = Pattern.compile("[0-9A-Za-z.:%_-]{1,64}");

	private static final Pattern USERNAME = Pattern.compile(UserService.USERNAME_PATTERN);

	private final LoginAttemptGuard guard;

	LockoutApiController(LoginAttemptGuard guard) {
		this.guard = guard;
	}

	/**
	 * @param username the user name, or null for a lock-out of the whole address
	 * @param failures failures counted when it began
	 */
	record Lockout(String username, String address, int failures, Instant lockedUntil) {

	}

	record Cleared(int cleared) {

	}

	@GetMapping
	@Operation(summary = "Waits of a user name at an address, and lock-outs of addresses, in force now")
	List<Lockout> list() {
		return this.guard.lockouts()
			.stream()
			.map((l) -> new Lockout(l.username(), l.address(), l.failures(), l.lockedUntil()))
			.toList();
	}

	@DeleteMapping
	@Operation(summary = "Clear: one user name at one address, a user name everywhere, an address, or all")
	Cleared clear(@RequestParam(required = false) String username, @RequestParam(required = false) String address) {
		if (username != null && !USERNAME.matcher(username).matches()) {
			throw new InvalidParameterException("username", "is not a user name");
		}
		if (address != null && !ADDRESS.matcher(address).matches()) {
			throw new InvalidParameterException("address", "is not an IP address");
		}
		return new Cleared(this.guard.clear(username, address));
	}

	@ExceptionHandler(InvalidParameterException.class)
	ResponseEntity<ProblemDetail> invalid(InvalidParameterException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				"'" + ex.parameter + "' " + ex.getMessage());
		problem.setTitle("Invalid parameter");
		problem.setType(URI.create("about:blank"));
		problem.setProperty("parameter", ex.parameter);
		return ResponseEntity.badRequest().body(problem);
	}

	static final class InvalidParameterException extends RuntimeException {

		private final String parameter;

		InvalidParameterException(String parameter, String message) {
			super(message);
			this.parameter = parameter;
		}

	}

}

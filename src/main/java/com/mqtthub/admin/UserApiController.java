package com.mqtthub.admin;

import java.util.List;

import com.mqtthub.security.Role;
import com.mqtthub.security.UserService;
import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Users, as JSON, for administrators.
 */
@RestController
@RequestMapping("/api/users")
class UserApiController {

	private final UserService users;

	UserApiController(UserService users) {
		this.users = users;
	}

	@GetMapping
	List<ApiViews.User> list() {
		return this.users.list().stream().map(ApiViews.User::of).toList();
	}

	@GetMapping("/{username}")
	ApiViews.User get(@PathVariable String username) {
		return ApiViews.User.of(this.users.get(username));
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	ApiViews.User create(@Valid @RequestBody UserRequests.Create request) {
		boolean enabled = (request.enabled() == null) || request.enabled();
		return ApiViews.User
			.of(this.users.create(request.username(), request.password(), Role.valueOf(request.role()), enabled));
	}

	@PutMapping("/{username}")
	ApiViews.User update(@PathVariable String username, @Valid @RequestBody UserRequests.Update request) {
		return ApiViews.User.of(this.users.update(username, Role.valueOf(request.role()), request.enabled()));
	}

	@PutMapping("/{username}/password")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void changePassword(@PathVariable String username, @Valid @RequestBody UserRequests.ChangePassword request) {
		this.users.changePassword(username, request.password());
	}

	@DeleteMapping("/{username}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void delete(@PathVariable String username) {
		this.users.delete(username);
	}

}

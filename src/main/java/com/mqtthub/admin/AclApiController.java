package com.mqtthub.admin;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.mqtthub.acl.Access;
import com.mqtthub.acl.AclService;
import com.mqtthub.acl.Action;
import com.mqtthub.acl.BrokerAuthorizer;
import com.mqtthub.acl.Permission;
import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Topic rules and the access check, as JSON, for administrators.
 */
@RestController
@RequestMapping("/api/acl")
class AclApiController {

	private final AclService acl;

	private final BrokerAuthorizer authorizer;

	AclApiController(AclService acl, BrokerAuthorizer authorizer) {
		this.acl = acl;
		this.authorizer = authorizer;
	}

	@GetMapping("/rules")
	List<ApiViews.Rule> list() {
		return this.acl.list().stream().map(ApiViews.Rule::of).toList();
	}

	@PostMapping("/rules")
	@ResponseStatus(HttpStatus.CREATED)
	ApiViews.Rule create(@Valid @RequestBody RuleRequests.Create request) {
		return ApiViews.Rule.of(this.acl.create(request.username(), request.role(), request.topic(),
				Access.valueOf(request.access().toUpperCase(Locale.ROOT)),
				Permission.valueOf(request.permission().toUpperCase(Locale.ROOT)), request.position()));
	}

	@DeleteMapping("/rules/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void delete(@PathVariable long id) {
		this.acl.delete(id);
	}

	@PostMapping("/check")
	ApiViews.Decision check(@Valid @RequestBody RuleRequests.Check request) {
		String clientId = (request.clientId() != null) ? request.clientId() : "";
		return ApiViews.Decision.of(this.acl.decide(request.username(), clientId, request.topic(),
				Action.valueOf(request.action().toUpperCase(Locale.ROOT))));
	}

	@GetMapping("/denials")
	Map<String, Long> denials() {
		return Map.of("publish", this.authorizer.deniedPublishes(), "subscribe",
				this.authorizer.deniedSubscriptions());
	}

}

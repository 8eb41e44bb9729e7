package com.mqtthub.admin;

import com.mqtthub.broker.EmbeddedBroker;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Sessions as a whole, whoever owns them: an administrator can delete any session, connected
 * or not (the client id is a query parameter, so that any id, with '/' or '%' in it, can be
 * named).
 */
@RestController
@Tag(name = "Broker", description = "Live state of the MQTT broker (administrators only)")
class SessionApiController {

	private final EmbeddedBroker broker;

	SessionApiController(EmbeddedBroker broker) {
		this.broker = broker;
	}

	@DeleteMapping("/api/clients/sessions")
	@Operation(summary = "Delete a session: close its connection, drop its subscriptions, queued and in-flight "
			+ "messages, and free its client id for any user")
	ResponseEntity<ProblemDetail> delete(@RequestParam String clientId) {
		if (!this.broker.deleteSession(clientId)) {
			return ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "The broker has no session with this client id"));
		}
		return ResponseEntity.noContent().build();
	}

}

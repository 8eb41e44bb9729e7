package com.mqtthub.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bridges over JSON (administrators): list with state and figures, pause and resume, and
 * create, replace and delete the bridges stored in the database. Errors are ProblemDetails; a
 * refused definition lists its problems per field ({@code fields}).
 */
@RestController
@RequestMapping("/api/bridges")
class BridgeApiController {

	/** A definition is a few KB at most (10 addresses, 100 rules); more is not one. */
	static final int MAX_BODY_BYTES = 256 * 1024;

	private final BridgeService bridges;

	private final StoredBridges stored;

	private final ObjectMapper json;

	BridgeApiController(BridgeService bridges, StoredBridges stored, ObjectMapper json) {
		this.bridges = bridges;
		this.stored = stored;
		this.json = json;
	}

	@GetMapping
	List<BridgeView> list() {
		return this.bridges.links().stream().map(this::view).toList();
	}

	@GetMapping("/{name}")
	BridgeView one(@PathVariable String name) {
		return view(find(name));
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = BridgeRequest.class)))
	BridgeView create(HttpServletRequest request) throws IOException {
		return view(this.stored.create(read(request)));
	}

	/** Replaces a bridge's definition; a password left out keeps the stored one. */
	@PutMapping("/{name}")
	@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = BridgeRequest.class)))
	BridgeView update(@PathVariable String name, HttpServletRequest request) throws IOException {
		return view(this.stored.update(name, read(request)));
	}

	/** Deletes a bridge with the messages waiting in its queue. */
	@DeleteMapping("/{name}")
	Map<String, Object> delete(@PathVariable String name) {
		return Map.of("deleted", name, "discardedMessages", this.stored.delete(name));
	}

	/**
	 * Stops forwarding (messages keep being queued) until resumed: for a stored bridge also
	 * after a restart, for a configured one until the next restart.
	 */
	@PostMapping("/{name}/pause")
	BridgeView pause(@PathVariable String name) {
		enabled(name);
		this.stored.setPaused(name, true);
		return view(find(name));
	}

	@PostMapping("/{name}/resume")
	BridgeView resume(@PathVariable String name) {
		enabled(name);
		this.stored.setPaused(name, false);
		return view(find(name));
	}

	/** Answers with the problem itself (otherwise the servlet error page would replace its detail). */
	@ExceptionHandler(ErrorResponseException.class)
	ResponseEntity<ProblemDetail> problem(ErrorResponseException ex) {
		return ResponseEntity.status(ex.getStatusCode()).body(ex.getBody());
	}

	@ExceptionHandler(StoredBridges.Refused.class)
	ResponseEntity<ProblemDetail> refused(StoredBridges.Refused ex) {
		HttpStatus status = switch (ex.reason()) {
			case INVALID -> HttpStatus.BAD_REQUEST;
			case CONFLICT -> HttpStatus.CONFLICT;
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
		};
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
		if (!ex.problems().isEmpty()) {
			problem.setProperty("fields", ex.problems()
				.stream()
				.map((p) -> Map.of("field", p.jsonField(), "message", p.message()))
				.toList());
		}
		return ResponseEntity.status(status).body(problem);
	}

	/** Reads the body itself, so that its size is bounded before it is parsed. */
	private BridgeRequest read(HttpServletRequest request) throws IOException {
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(MAX_BODY_BYTES + 1);
		}
		if (body.length > MAX_BODY_BYTES) {
			throw problem(HttpStatus.CONTENT_TOO_LARGE, "A bridge definition has at most " + MAX_BODY_BYTES + " bytes");
		}
		try {
			BridgeRequest parsed = this.json.readValue(body, BridgeRequest.class);
			if (parsed == null) {
				throw problem(HttpStatus.BAD_REQUEST, "The request body is not the JSON object this endpoint takes");
			}
			return parsed;
		}
		catch (JacksonException ex) {
			throw problem(HttpStatus.BAD_REQUEST, "The request body is not the JSON object this endpoint takes");
		}
	}

	private BridgeView view(BridgeLink link) {
		return BridgeView.of(link, this.bridges.source(link.name()));
	}

	private BridgeLink find(String name) {
		return this.bridges.link(name)
			.orElseThrow(() -> problem(HttpStatus.NOT_FOUND, "No bridge has this name"));
	}

	private BridgeLink enabled(String name) {
		BridgeLink link = find(name);
		if (!link.definition().isEnabled()) {
			throw problem(HttpStatus.CONFLICT, "This bridge is disabled (enabled: false)");
		}
		return link;
	}

	private static ErrorResponseException problem(HttpStatus status, String detail) {
		return new ErrorResponseException(status, ProblemDetail.forStatusAndDetail(status, detail), null);
	}

}

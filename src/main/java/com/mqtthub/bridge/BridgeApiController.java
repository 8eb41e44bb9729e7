package com.mqtthub.bridge;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The bridges over JSON: list with state and figures, pause and resume (administrators). */
@RestController
@RequestMapping("/api/bridges")
class BridgeApiController {

	private final BridgeService bridges;

	BridgeApiController(BridgeService bridges) {
		this.bridges = bridges;
	}

	@GetMapping
	List<BridgeView> list() {
		return this.bridges.links().stream().map(BridgeView::of).toList();
	}

	@GetMapping("/{name}")
	BridgeView one(@PathVariable String name) {
		return BridgeView.of(find(name));
	}

	/** Stops forwarding (messages keep being queued) until resumed; until the next restart. */
	@PostMapping("/{name}/pause")
	BridgeView pause(@PathVariable String name) {
		BridgeLink link = enabled(name);
		link.pause();
		return BridgeView.of(link);
	}

	@PostMapping("/{name}/resume")
	BridgeView resume(@PathVariable String name) {
		BridgeLink link = enabled(name);
		link.resume();
		return BridgeView.of(link);
	}

	/** Answers with the problem itself (otherwise the servlet error page would replace its detail). */
	@ExceptionHandler(ErrorResponseException.class)
	ResponseEntity<ProblemDetail> problem(ErrorResponseException ex) {
		return ResponseEntity.status(ex.getStatusCode()).body(ex.getBody());
	}

	private BridgeLink find(String name) {
		return this.bridges.link(name)
			.orElseThrow(() -> problem(HttpStatus.NOT_FOUND, "No bridge has this name"));
	}

	private BridgeLink enabled(String name) {
		BridgeLink link = find(name);
		if (!link.definition().isEnabled()) {
			throw problem(HttpStatus.CONFLICT, "This bridge is disabled in the configuration (enabled: false)");
		}
		return link;
	}

	private static ErrorResponseException problem(HttpStatus status, String detail) {
		return new ErrorResponseException(status, ProblemDetail.forStatusAndDetail(status, detail), null);
	}

}

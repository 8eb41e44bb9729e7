package com.mqtthub.admin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.mqtthub.acl.TopicFilters;
import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.broker.RetainedEntry;
import com.mqtthub.monitoring.BrokerMonitor;
import com.mqtthub.monitoring.ClientView;
import com.mqtthub.monitoring.DashboardStream;
import com.mqtthub.monitoring.Snapshot;
import com.mqtthub.monitoring.TopicTree;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The broker's live state for administrators: figures, clients, retained messages, topics, and
 * publishing a message over HTTP.
 */
@RestController
@Tag(name = "Broker", description = "Live state of the MQTT broker (administrators only)")
class MonitoringApiController {

	/** Retained messages per page unless the request asks for fewer or more. */
	static final int DEFAULT_PAGE = 100;

	/** Most items one request returns. */
	static final int MAX_PAGE = 1000;

	/** MQTT 3.1.1 strings are at most 65535 bytes; a longer id cannot be connected. */
	static final int MAX_CLIENT_ID_LENGTH = 65535;

	private final EmbeddedBroker broker;

	private final BrokerMonitor monitor;

	private final DashboardStream stream;

	MonitoringApiController(EmbeddedBroker broker, BrokerMonitor monitor, DashboardStream stream) {
		this.broker = broker;
		this.monitor = monitor;
		this.stream = stream;
	}

	@GetMapping("/api/metrics")
	@Operation(summary = "The broker's figures of the last second")
	Snapshot metrics() {
		return this.monitor.latest();
	}

	@GetMapping("/api/metrics/history")
	@Operation(summary = "The figures of the last minutes, one per second, oldest first")
	List<Snapshot> history() {
		return this.monitor.history();
	}

	@GetMapping(path = "/api/metrics/stream", produces = "text/event-stream")
	@Operation(summary = "Server-Sent Events: one 'snapshot' event with the figures every second")
	ResponseEntity<SseEmitter> stream(java.security.Principal principal) {
		SseEmitter emitter = this.stream.open(principal.getName());
		return (emitter != null) ? ResponseEntity.ok(emitter)
				: ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).build();
	}

	@GetMapping("/api/clients")
	@Operation(summary = "The connected clients, optionally those whose client id or user name contains 'search'")
	List<ClientView> clients(@RequestParam(required = false) String search) {
		return this.monitor.clients().list(search);
	}

	@DeleteMapping("/api/clients/{clientId}")
	@Operation(summary = "Disconnect a client (its persistent session stays); for ids with '/' or '%' use the query form")
	ResponseEntity<Map<String, Object>> kick(@PathVariable String clientId) {
		return disconnect(clientId);
	}

	@DeleteMapping(path = "/api/clients", params = "clientId")
	@Operation(summary = "Disconnect the client with this id, whatever characters it holds (its persistent session stays)")
	ResponseEntity<Map<String, Object>> kickByParameter(@RequestParam String clientId) {
		return disconnect(clientId);
	}

	private ResponseEntity<Map<String, Object>> disconnect(String clientId) {
		if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
			throw new IllegalArgumentException("'clientId' must have 1 to " + MAX_CLIENT_ID_LENGTH + " characters");
		}
		if (!this.broker.disconnect(clientId)) {
			return ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(Map.of("error", "No client with this id is connected"));
		}
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/api/retained")
	@Operation(summary = "One page of the retained messages on topics that the filter matches, sorted by topic "
			+ "(payloads in Base64); the next page starts after the last topic of this one")
	List<RetainedView> retained(@RequestParam(defaultValue = "#") String filter,
			@RequestParam(defaultValue = "" + DEFAULT_PAGE) int limit, @RequestParam(required = false) String after) {
		checkFilter(filter);
		if (limit < 1 || limit > MAX_PAGE) {
			throw new IllegalArgumentException("'limit' must be from 1 to " + MAX_PAGE);
		}
		if (after != null && after.length() > MAX_CLIENT_ID_LENGTH) {
			throw new IllegalArgumentException("'after' must be a topic name");
		}
		// Only the page's payloads are loaded, never all matching ones.
		List<RetainedView> views = new ArrayList<>();
		for (RetainedEntry entry : this.broker.retained(filter, after, limit)) {
			views.add(new RetainedView(entry.topic(), entry.qos(), entry.payload().length,
					Base64.getEncoder().encodeToString(entry.payload())));
		}
		return views;
	}

	@DeleteMapping("/api/retained")
	@Operation(summary = "Delete the retained message of one topic, or of every topic that 'filter' matches")
	Map<String, Object> deleteRetained(@RequestParam(required = false) String topic,
			@RequestParam(required = false) String filter) {
		if ((topic == null) == (filter == null)) {
			throw new IllegalArgumentException("Give either 'topic' or 'filter'");
		}
		if (topic != null) {
			checkTopic(topic);
		}
		else {
			checkFilter(filter);
		}
		// A topic name is a filter that matches only itself.
		List<String> present = this.broker.retainedTopics((topic != null) ? topic : filter);
		this.broker.deleteRetained(present);
		present.forEach(this.monitor.topicTree()::retainedDeleted);
		this.monitor.recountRetained();
		int deleted = present.size();
		return Map.of("deleted", deleted);
	}

	@GetMapping("/api/topics")
	@Operation(summary = "Every topic that carried a message, with its count and last payload, as flat paths sorted by topic")
	Map<String, Object> topics() {
		TopicTree tree = this.monitor.topicTree();
		return Map.of("topics", tree.size(), "evicted", tree.evicted(), "maxPayloadBytes", tree.maxPayloadBytes(),
				"entries", tree.entries());
	}

	@GetMapping("/api/metrics/busiest-topics")
	@Operation(summary = "The topics with the most messages in the last second, most first")
	List<TopicTree.TopicRate> busiestTopics(@RequestParam(defaultValue = "10") int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			throw new IllegalArgumentException("'limit' must be from 1 to " + MAX_PAGE);
		}
		return this.monitor.topicTree().busiest(limit);
	}

	@PostMapping("/api/publish")
	@Operation(summary = "Publish a message as the broker (topic rules do not apply)")
	ResponseEntity<Map<String, Object>> publish(@RequestBody PublishRequest request) {
		checkTopic(request.topic());
		int qos = (request.qos() != null) ? request.qos() : 0;
		if (qos < 0 || qos > 2) {
			throw new IllegalArgumentException("'qos' must be 0, 1 or 2");
		}
		byte[] payload;
		if ("base64".equalsIgnoreCase(request.encoding())) {
			payload = Base64.getDecoder().decode((request.payload() != null) ? request.payload() : "");
		}
		else {
			payload = ((request.payload() != null) ? request.payload() : "").getBytes(StandardCharsets.UTF_8);
		}
		boolean retain = Boolean.TRUE.equals(request.retain());
		if (!this.broker.publish(request.topic(), payload, qos, retain)) {
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.body(Map.of("error", "The broker is not running"));
		}
		if (retain) {
			this.monitor.recountRetained();
		}
		return ResponseEntity.accepted().body(Map.of("topic", request.topic(), "bytes", payload.length));
	}

	private static void checkTopic(String topic) {
		if (topic == null || topic.isEmpty() || topic.contains("+") || topic.contains("#")
				|| topic.indexOf('\u0000') >= 0) {
			throw new IllegalArgumentException("'topic' must be a topic name, without wildcards");
		}
	}

	private static void checkFilter(String filter) {
		if (!TopicFilters.isValidFilter(filter)) {
			throw new IllegalArgumentException("'filter' is not a valid topic filter");
		}
	}

	/**
	 * A message to publish.
	 * @param encoding "text" (UTF-8, the default) or "base64"
	 */
	record PublishRequest(String topic, String payload, String encoding, Integer qos, Boolean retain) {
	}

	/** A retained message; the payload in Base64. */
	record RetainedView(String topic, int qos, int size, String payload) {
	}

}

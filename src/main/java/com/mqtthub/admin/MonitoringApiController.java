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
	@Operation(summary = "Disconnect a client (its persistent session stays)")
	ResponseEntity<Map<String, Object>> kick(@PathVariable String clientId) {
		if (!this.broker.disconnect(clientId)) {
			return ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(Map.of("error", "No client with this id is connected"));
		}
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/api/retained")
	@Operation(summary = "The retained messages on topics that the filter matches (payloads in Base64)")
	List<RetainedView> retained(@RequestParam(defaultValue = "#") String filter) {
		checkFilter(filter);
		List<RetainedView> views = new ArrayList<>();
		for (RetainedEntry entry : this.broker.retained(filter)) {
			views.add(new RetainedView(entry.topic(), entry.qos(), entry.payload().length,
					Base64.getEncoder().encodeToString(entry.payload())));
		}
		views.sort((a, b) -> a.topic().compareTo(b.topic()));
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
		List<String> present = this.broker.retained((topic != null) ? topic : filter)
			.stream()
			.map(RetainedEntry::topic)
			.toList();
		this.broker.deleteRetained(present);
		present.forEach(this.monitor.topicTree()::retainedDeleted);
		this.monitor.recountRetained();
		int deleted = present.size();
		return Map.of("deleted", deleted);
	}

	@GetMapping("/api/topics")
	@Operation(summary = "The topic tree: every topic that carried a message, with its count and last payload")
	Map<String, Object> topics() {
		TopicTree tree = this.monitor.topicTree();
		return Map.of("topics", tree.size(), "evicted", tree.evicted(), "maxPayloadBytes", tree.maxPayloadBytes(),
				"tree", tree.tree());
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

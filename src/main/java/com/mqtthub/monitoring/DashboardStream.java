package com.mqtthub.monitoring;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes each second's {@link Snapshot} to every open dashboard as a Server-Sent Event, and
 * after it the figures of other features (the bridges), each as an event of its own name.
 */
public class DashboardStream {

	/** Most dashboards streaming at once; more get their stream refused. */
	static final int MAX_STREAMS = 64;

	/** Each open stream and the user it was opened for, so that revoking the user ends it. */
	private final Map<SseEmitter, String> emitters = new ConcurrentHashMap<>();

	/** Other features' figures, by event name; each is computed once a second. */
	private final Map<String, Supplier<?>> sections = new ConcurrentHashMap<>();

	public DashboardStream(BrokerMonitor monitor) {
		monitor.onSnapshot(this::send);
	}

	/** A new stream for this user, or null when too many are open. */
	public SseEmitter open(String username) {
		if (this.emitters.size() >= MAX_STREAMS) {
			return null;
		}
		// No timeout of its own: the stream ends with the page or the session.
		SseEmitter emitter = new SseEmitter(0L);
		this.emitters.put(emitter, username);
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		emitter.onTimeout(() -> this.emitters.remove(emitter));
		emitter.onError((ex) -> this.emitters.remove(emitter));
		return emitter;
	}

	/** Sends {@code figures} every second, after the snapshot, as the event {@code name}. */
	public void addSection(String name, Supplier<?> figures) {
		this.sections.put(name, figures);
	}

	private void send(Snapshot snapshot) {
		Map<String, Object> computed = new java.util.LinkedHashMap<>();
		// Computed even with no dashboard open: a section may measure rates between seconds.
		this.sections.forEach((name, figures) -> computed.put(name, figures.get()));
		for (SseEmitter emitter : this.emitters.keySet()) {
			try {
				emitter.send(SseEmitter.event().name("snapshot").data(snapshot, MediaType.APPLICATION_JSON));
				for (Map.Entry<String, Object> section : computed.entrySet()) {
					emitter.send(SseEmitter.event().name(section.getKey()).data(section.getValue(),
							MediaType.APPLICATION_JSON));
				}
			}
			catch (IOException | IllegalStateException ex) {
				this.emitters.remove(emitter);
				emitter.completeWithError(ex);
			}
		}
	}

	/** Ends the streams of this user at once (its access was revoked); how many there were. */
	public int closeStreamsOf(String username) {
		int closed = 0;
		for (Map.Entry<SseEmitter, String> entry : this.emitters.entrySet()) {
			if (entry.getValue().equals(username) && this.emitters.remove(entry.getKey()) != null) {
				entry.getKey().complete();
				closed++;
			}
		}
		return closed;
	}

	public int openStreams() {
		return this.emitters.size();
	}

}

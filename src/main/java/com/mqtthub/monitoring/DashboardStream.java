package com.mqtthub.monitoring;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes each second's {@link Snapshot} to every open dashboard as a Server-Sent Event.
 */
public class DashboardStream {

	/** Most dashboards streaming at once; more get their stream refused. */
	static final int MAX_STREAMS = 64;

	private final Set<SseEmitter> emitters = ConcurrentHashMap.newKeySet();

	public DashboardStream(BrokerMonitor monitor) {
		monitor.onSnapshot(this::send);
	}

	/** A new stream, or null when too many are open. */
	public SseEmitter open() {
		if (this.emitters.size() >= MAX_STREAMS) {
			return null;
		}
		// No timeout of its own: the stream ends with the page or the session.
		SseEmitter emitter = new SseEmitter(0L);
		this.emitters.add(emitter);
		emitter.onCompletion(() -> this.emitters.remove(emitter));
		emitter.onTimeout(() -> this.emitters.remove(emitter));
		emitter.onError((ex) -> this.emitters.remove(emitter));
		return emitter;
	}

	private void send(Snapshot snapshot) {
		for (SseEmitter emitter : this.emitters) {
			try {
				emitter.send(SseEmitter.event().name("snapshot").data(snapshot, MediaType.APPLICATION_JSON));
			}
			catch (IOException | IllegalStateException ex) {
				this.emitters.remove(emitter);
				emitter.completeWithError(ex);
			}
		}
	}

	public int openStreams() {
		return this.emitters.size();
	}

}

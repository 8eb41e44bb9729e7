package com.mqtthub.monitoring;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Pushes each second's {@link Snapshot} to every open dashboard as a Server-Sent Event.
 */
public class DashboardStream {

	/** Most dashboards streaming at once; more get their stream refused. */
	static final int MAX_STREAMS = 64;

	/** Each open stream and the user it was opened for, so that revoking the user ends it. */
	private final Map<SseEmitter, String> emitters = new ConcurrentHashMap<>();

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

	private void send(Snapshot snapshot) {
		for (SseEmitter emitter : this.emitters.keySet()) {
			try {
				emitter.send(SseEmitter.event().name("snapshot").data(snapshot, MediaType.APPLICATION_JSON));
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

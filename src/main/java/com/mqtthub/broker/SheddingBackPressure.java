package com.mqtthub.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import io.moquette.broker.MoquetteCore;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * Back-pressure for QoS 0: a client whose QoS 0 message goes only to subscribers that are
 * behind (more than half of the slow-client buffer unread, beyond which {@link SlowClientShedding}
 * drops) is held back ({@link PublisherBackPressure}) until such a subscriber has taken what it
 * had unread, instead of the broker reading, routing and dropping tens of thousands of messages
 * a second that nobody can take. The other half holds what the engine has on its way when the
 * publisher stops. QoS 0 messages may still be shed (MQTT allows it): a message that at least one
 * subscriber can take holds nobody back, so one slow subscriber does not slow the others down.
 * <p>
 * A subscriber that has taken nothing for the longest pause
 * ({@code mqtthub.broker.back-pressure.max-pause}) stops holding publishers back until it has
 * caught up: one that stopped reading cannot hold up a publisher for longer than that once.
 * <p>
 * The engine asks on the publisher's session loop; a subscriber catches up, and its connection
 * ends, on its network loop.
 */
final class SheddingBackPressure implements MoquetteCore.SheddingPressure {

	/** Unread bytes beyond which a subscriber is behind: half of those beyond which it sheds. */
	private final long behindBytes;

	private final long maxStallNanos;

	private final BackPressure pressure;

	/** Subscriber connections behind now, and since when; removed once caught up or closed. */
	private final Map<Channel, Long> behind = new ConcurrentHashMap<>();

	/**
	 * @param sheddingBytes unread bytes beyond which a subscriber's QoS 0 messages are shed
	 * ({@code mqtthub.broker.slow-client-buffer})
	 * @param maxStallNanos a subscriber behind for this long holds nobody back any more
	 * @param pressure holds the publishers back and lets them go
	 */
	SheddingBackPressure(long sheddingBytes, long maxStallNanos, BackPressure pressure) {
		this.behindBytes = sheddingBytes / 2;
		this.maxStallNanos = maxStallNanos;
		this.pressure = pressure;
	}

	@Override
	public boolean behind(Channel subscriber) {
		ChannelOutboundBuffer pending = subscriber.unsafe().outboundBuffer();
		return pending != null && pending.totalPendingWriteBytes() > this.behindBytes;
	}

	@Override
	public boolean press(Channel publisher, Channel subscriber) {
		long now = System.nanoTime();
		Long since = this.behind.get(subscriber);
		if (since == null) {
			since = now;
			if (this.behind.putIfAbsent(subscriber, since) == null) {
				watch(subscriber);
			}
			else {
				since = this.behind.getOrDefault(subscriber, now);
			}
		}
		if (now - since > this.maxStallNanos) {
			// It took nothing for the longest pause: shed for it, as without back-pressure.
			return false;
		}
		this.pressure.press(publisher, subscriber);
		return true;
	}

	/** Lets the publishers go when the subscriber has caught up (or is gone). */
	private void watch(Channel subscriber) {
		Runnable caughtUp = () -> {
			this.behind.remove(subscriber);
			this.pressure.relieve(subscriber);
		};
		try {
			subscriber.eventLoop().execute(() -> {
				SlowClientShedding shedding = subscriber.pipeline().get(SlowClientShedding.class);
				if (shedding == null || !subscriber.isActive()) {
					caughtUp.run();
				}
				else {
					shedding.whenCaughtUp(caughtUp);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			// The broker is stopping.
			caughtUp.run();
		}
	}

	/** Subscriber connections behind now (for tests). */
	int behindSubscribers() {
		return this.behind.size();
	}

}

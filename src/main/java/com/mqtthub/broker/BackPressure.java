package com.mqtthub.broker;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.moquette.broker.MoquetteCore;
import io.netty.channel.Channel;

/**
 * Back-pressure instead of drops: the queue of a connected subscriber that goes above the
 * high-water mark ({@code mqtthub.broker.back-pressure.high-water-percent} of the queue caps)
 * with QoS 1/2 messages holds back the clients that publish into it (nothing more is read from
 * them, see {@link PublisherBackPressure}) until it is down at the low-water mark, its
 * subscriber disconnects, or the longest pause has passed. Publishers are slowed to what their
 * subscribers take, and what was acknowledged to them is not dropped at a full queue.
 * <p>
 * What it does not hold back, by design: publishers of an offline persistent session (its
 * client may stay away for days; its queue still drops newer messages at the caps, counted),
 * a subscriber's own publishing, QoS 0 messages (never queued; shed for slow clients, and only
 * held back when no subscriber can take them, see {@link SheddingBackPressure}), and
 * messages the broker publishes itself (bridges, the admin API, wills). A subscriber that stops
 * reading holds its publishers back once, for the longest pause at most; its queue then fills
 * and drops as before, and {@link ClientBacklogLimit} may cut it off. A subscriber that reads,
 * however slowly, sets the pace of the QoS 1/2 publishers of the topics it reads.
 * <p>
 * Limits of the guarantee: a publisher's packets already taken by the engine when it is paused
 * still reach the queue, so the room between the high-water mark and the caps must hold what
 * the publishers feeding one queue can have on their way at once (an MQTT client's in-flight
 * window, typically 10 to 100 messages, or a few hundred for a client that ignores it).
 * <p>
 * Keeps, per subscriber connection, the publishers it holds back; the engine calls in on the
 * subscriber's session loop, the subscriber's connection ends on its network loop.
 */
final class BackPressure implements MoquetteCore.PublisherPressure {

	private final Map<Channel, Set<PublisherBackPressure>> holding = new ConcurrentHashMap<>();

	/**
	 * Subscriber connections whose end relieves their publishers: one listener per connection,
	 * not one per time it holds publishers back (a busy connection does so thousands of times).
	 */
	private final Set<Channel> watched = ConcurrentHashMap.newKeySet();

	@Override
	public void press(Channel publisher, Channel subscriber) {
		PublisherBackPressure held = PublisherBackPressure.of(publisher);
		if (held == null) {
			return;
		}
		Set<PublisherBackPressure> publishers = this.holding.get(subscriber);
		if (publishers == null) {
			Set<PublisherBackPressure> fresh = ConcurrentHashMap.newKeySet();
			publishers = this.holding.putIfAbsent(subscriber, fresh);
			if (publishers == null) {
				publishers = fresh;
				if (this.watched.add(subscriber)) {
					// Added outside the map's update: it runs at once when the channel is closed already.
					subscriber.closeFuture().addListener((closed) -> {
						this.watched.remove(subscriber);
						relieve(subscriber);
					});
				}
			}
		}
		publishers.add(held);
		held.pressedBy(subscriber);
	}

	@Override
	public void relieve(Channel subscriber) {
		Set<PublisherBackPressure> publishers = this.holding.remove(subscriber);
		if (publishers != null) {
			for (PublisherBackPressure held : publishers) {
				held.relievedBy(subscriber);
			}
		}
	}

	/** Subscriber connections holding publishers back now (for tests). */
	int holdingSubscribers() {
		return this.holding.size();
	}

	/** Subscriber connections whose end is watched (for tests). */
	int watchedSubscribers() {
		return this.watched.size();
	}

}

package com.mqtthub.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Remembers which subscriptions match each topic name, so that a topic published again and again
 * (the usual case: a device reports on the same few topics) does not walk the subscription tree
 * every time. The walk allocates a copy of the topic's remaining levels at every level of the
 * tree, which made it about a sixth of all the bytes the broker allocated per message.
 * <p>
 * Any change of the subscriptions makes every answer given so far stale ({@link #invalidate}); an
 * answer worked out while a change was being made is used once and not kept. Topic names are
 * chosen by clients, so what is kept is bounded: names of at most {@link #MAX_KEY_LENGTH}
 * characters, answers of at most {@code maxValueSize} subscriptions (a topic with more subscribers
 * costs far more to deliver than to look up), and at most {@code capacity} names, after which the
 * cache starts again empty.
 *
 * @param <V> the answer for one topic name
 */
public final class MatchCache<V> {

	/** Longer topic names are looked up every time (the default name limit is 1,024 bytes). */
	static final int MAX_KEY_LENGTH = 256;

	private final int capacity;

	private final ToIntFunction<V> sizeOf;

	private final int maxValueSize;

	private final AtomicLong generation = new AtomicLong();

	private final Map<String, Answer<V>> answers = new ConcurrentHashMap<>();

	/**
	 * @param capacity topic names kept at most
	 * @param sizeOf size of an answer (e.g. a list's size)
	 * @param maxValueSize larger answers are not kept
	 */
	public MatchCache(int capacity, ToIntFunction<V> sizeOf, int maxValueSize) {
		if (capacity < 1 || maxValueSize < 0) {
			throw new IllegalArgumentException("capacity must be positive and maxValueSize not negative");
		}
		this.capacity = capacity;
		this.sizeOf = sizeOf;
		this.maxValueSize = maxValueSize;
	}

	/**
	 * The answer for this topic name: the one kept if no change came since it was worked out,
	 * otherwise {@code lookUp}'s, which is kept if nothing changed while it ran.
	 */
	public V get(String topic, Function<String, V> lookUp) {
		long current = this.generation.get();
		Answer<V> kept = this.answers.get(topic);
		if (kept != null && kept.generation == current) {
			return kept.value;
		}
		V value = lookUp.apply(topic);
		if (topic.length() <= MAX_KEY_LENGTH && this.sizeOf.applyAsInt(value) <= this.maxValueSize
				&& this.generation.get() == current) {
			if (kept == null && this.answers.size() >= this.capacity) {
				this.answers.clear();
			}
			this.answers.put(topic, new Answer<>(current, value));
		}
		return value;
	}

	/**
	 * Called after every change of what the answers depend on: from then on no answer worked out
	 * before is used.
	 */
	public void invalidate() {
		this.generation.incrementAndGet();
	}

	/** Topic names kept, stale ones included (they are replaced on their next use). */
	int size() {
		return this.answers.size();
	}

	private record Answer<V>(long generation, V value) {
	}

}

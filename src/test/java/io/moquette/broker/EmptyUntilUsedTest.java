package io.moquette.broker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EmptyUntilUsedTest {

	@Test
	void aMapBehavesLikeAHashMapBeforeAndAfterItsFirstEntry() {
		Map<Integer, String> map = new EmptyUntilUsed.LazyMap<>();
		assertThat(map).isEmpty();
		assertThat(map.get(1)).isNull();
		assertThat(map.remove(1)).isNull();
		map.forEach((key, value) -> {
			throw new AssertionError("empty");
		});
		assertThat(map.put(1, "one")).isNull();
		assertThat(map.computeIfAbsent(2, key -> "two")).isEqualTo("two");
		assertThat(map).containsExactlyInAnyOrderEntriesOf(Map.of(1, "one", 2, "two"));
		map.keySet().remove(1);
		assertThat(map).containsOnlyKeys(2);
		assertThat(map.remove(2)).isEqualTo("two");
		assertThat(map).isEmpty();
		assertThat(map).isEqualTo(Map.of());
	}

	@Test
	void aViewTakenWhileEmptySeesLaterEntries() {
		Map<Integer, String> map = new EmptyUntilUsed.LazyMap<>();
		Set<Integer> keys = map.keySet();
		map.put(7, "seven");
		assertThat(keys).containsExactly(7);
	}

	@Test
	void aSetBehavesLikeAHashSetBeforeAndAfterItsFirstElement() {
		Set<String> set = new EmptyUntilUsed.LazySet<>();
		assertThat(set).isEmpty();
		assertThat(new ArrayList<>(set)).isEmpty();
		assertThat(set.remove("a")).isFalse();
		assertThat(set.add("a")).isTrue();
		assertThat(set.add("a")).isFalse();
		set.add("b");
		assertThat(new ArrayList<>(set)).containsExactlyInAnyOrder("a", "b");
		Iterator<String> elements = set.iterator();
		elements.next();
		elements.remove();
		assertThat(set).hasSize(1);
		set.removeIf(element -> true);
		assertThat(set).isEmpty();
		assertThat(set).isEqualTo(Set.of());
	}

	/** On the JDK the tests run on (and so the one the build ships for), the lazy queue is used. */
	@Test
	void everyPublicMethodOfThisJdksDelayQueueIsOverridden() {
		assertThat(EmptyUntilUsed.LazyDelayQueue.missing()).isEmpty();
		assertThat(EmptyUntilUsed.LazyDelayQueue.complete()).isTrue();
	}

	@Test
	void aDelayQueueBehavesLikeOneBeforeAndAfterItsFirstElement() throws InterruptedException {
		DelayQueue<Due> queue = EmptyUntilUsed.LazyDelayQueue.create();
		assertThat(queue.isEmpty()).isTrue();
		assertThat(queue.size()).isZero();
		assertThat(queue.poll()).isNull();
		assertThat(queue.peek()).isNull();
		assertThat(queue.poll(0, TimeUnit.MILLISECONDS)).isNull();
		assertThat(queue.drainTo(new ArrayList<>())).isZero();
		assertThat(queue.iterator().hasNext()).isFalse();
		assertThat(queue.toArray()).isEmpty();
		assertThat(queue.remove(new Due(0))).isFalse();
		assertThatExceptionOfType(NoSuchElementException.class).isThrownBy(queue::remove);
		queue.clear();

		Due later = new Due(60_000);
		Due now = new Due(-1);
		assertThat(queue.add(later)).isTrue();
		assertThat(queue.offer(now)).isTrue();
		assertThat(queue.isEmpty()).isFalse();
		assertThat(queue.size()).isEqualTo(2);
		assertThat(queue.peek()).isSameAs(now);
		List<Due> drained = new ArrayList<>();
		assertThat(queue.drainTo(drained)).as("only what is due").isEqualTo(1);
		assertThat(drained).containsExactly(now);
		assertThat(queue.poll()).as("not due yet").isNull();
		assertThat(queue).containsExactly(later);
		Iterator<Due> iterator = queue.iterator();
		iterator.next();
		iterator.remove();
		assertThat(queue.isEmpty()).isTrue();
		queue.put(now);
		assertThat(queue.take()).isSameAs(now);
		assertThat(queue.remainingCapacity()).isEqualTo(Integer.MAX_VALUE);
	}

	/** A queue that no one uses does not share what one used holds: each makes its own. */
	@Test
	void twoQueuesAreIndependent() {
		DelayQueue<Due> one = EmptyUntilUsed.LazyDelayQueue.create();
		DelayQueue<Due> other = EmptyUntilUsed.LazyDelayQueue.create();
		one.add(new Due(-1));
		assertThat(other.isEmpty()).isTrue();
		assertThat(other.poll()).isNull();
		assertThat(one.poll()).isNotNull();
	}

	private record Due(long delayMillis, long dueNanos) implements Delayed {

		Due(long delayMillis) {
			this(delayMillis, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis));
		}

		@Override
		public long getDelay(TimeUnit unit) {
			return unit.convert(this.dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
		}

		@Override
		public int compareTo(Delayed other) {
			return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
		}

	}

}

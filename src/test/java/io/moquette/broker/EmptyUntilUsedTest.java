package io.moquette.broker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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

}

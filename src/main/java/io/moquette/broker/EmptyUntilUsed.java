package io.moquette.broker;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A map and a set that make their {@link HashMap} or {@link HashSet} with the first element: the
 * engine gives every session an in-flight window, a map of QoS 2 messages being received and a
 * set of subscriptions from the start (about 160 bytes), which an idle client never fills.
 * Reads of an empty one allocate nothing. Not thread-safe, like what they replace.
 */
final class EmptyUntilUsed {

	private EmptyUntilUsed() {
	}

	static final class LazyMap<K, V> implements Map<K, V> {

		private Map<K, V> map;

		private Map<K, V> reading() {
			return (this.map != null) ? this.map : Collections.emptyMap();
		}

		private Map<K, V> writing() {
			if (this.map == null) {
				this.map = new HashMap<>();
			}
			return this.map;
		}

		@Override
		public int size() {
			return reading().size();
		}

		@Override
		public boolean isEmpty() {
			return reading().isEmpty();
		}

		@Override
		public boolean containsKey(Object key) {
			return reading().containsKey(key);
		}

		@Override
		public boolean containsValue(Object value) {
			return reading().containsValue(value);
		}

		@Override
		public V get(Object key) {
			return reading().get(key);
		}

		@Override
		public V put(K key, V value) {
			return writing().put(key, value);
		}

		@Override
		public V remove(Object key) {
			return (this.map != null) ? this.map.remove(key) : null;
		}

		@Override
		public void putAll(Map<? extends K, ? extends V> other) {
			if (!other.isEmpty()) {
				writing().putAll(other);
			}
		}

		@Override
		public void clear() {
			if (this.map != null) {
				this.map.clear();
			}
		}

		// Views are of the map itself, so that they see later changes and can remove.

		@Override
		public Set<K> keySet() {
			return writing().keySet();
		}

		@Override
		public Collection<V> values() {
			return writing().values();
		}

		@Override
		public Set<Entry<K, V>> entrySet() {
			return writing().entrySet();
		}

		@Override
		public void forEach(java.util.function.BiConsumer<? super K, ? super V> action) {
			reading().forEach(action);
		}

		@Override
		public boolean equals(Object other) {
			return reading().equals(other);
		}

		@Override
		public int hashCode() {
			return reading().hashCode();
		}

		@Override
		public String toString() {
			return reading().toString();
		}

	}

	static final class LazySet<E> implements Set<E> {

		private Set<E> set;

		private Set<E> reading() {
			return (this.set != null) ? this.set : Collections.emptySet();
		}

		private Set<E> writing() {
			if (this.set == null) {
				this.set = new HashSet<>();
			}
			return this.set;
		}

		@Override
		public int size() {
			return reading().size();
		}

		@Override
		public boolean isEmpty() {
			return reading().isEmpty();
		}

		@Override
		public boolean contains(Object element) {
			return reading().contains(element);
		}

		@Override
		public Iterator<E> iterator() {
			// Nothing to remove through an empty one's iterator.
			return reading().iterator();
		}

		@Override
		public Object[] toArray() {
			return reading().toArray();
		}

		@Override
		public <T> T[] toArray(T[] array) {
			return reading().toArray(array);
		}

		@Override
		public boolean add(E element) {
			return writing().add(element);
		}

		@Override
		public boolean remove(Object element) {
			return this.set != null && this.set.remove(element);
		}

		@Override
		public boolean containsAll(Collection<?> elements) {
			return reading().containsAll(elements);
		}

		@Override
		public boolean addAll(Collection<? extends E> elements) {
			return !elements.isEmpty() && writing().addAll(elements);
		}

		@Override
		public boolean retainAll(Collection<?> elements) {
			return this.set != null && this.set.retainAll(elements);
		}

		@Override
		public boolean removeAll(Collection<?> elements) {
			return this.set != null && this.set.removeAll(elements);
		}

		@Override
		public void clear() {
			if (this.set != null) {
				this.set.clear();
			}
		}

		@Override
		public boolean equals(Object other) {
			return reading().equals(other);
		}

		@Override
		public int hashCode() {
			return reading().hashCode();
		}

		@Override
		public String toString() {
			return reading().toString();
		}

	}

}

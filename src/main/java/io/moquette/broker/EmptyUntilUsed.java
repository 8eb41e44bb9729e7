package io.moquette.broker;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * A map and a set that make their {@link HashMap} or {@link HashSet} with the first element: the
 * engine gives every session an in-flight window, a map of QoS 2 messages being received and a
 * set of subscriptions from the start (about 160 bytes), which an idle client never fills.
 * Reads of an empty one allocate nothing. Not thread-safe, like what they replace. And a
 * {@link DelayQueue} likewise (about 170 bytes), thread-safe like a {@code DelayQueue}.
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


	/**
	 * A {@link DelayQueue} that makes its queue (a lock, a condition, a priority queue and its
	 * array) with the first element. It has to be a {@code DelayQueue} (the engine's field is
	 * one), whose constructors make all of that, so {@link #create()} makes it without running
	 * them, and every public method of {@code DelayQueue} is overridden to use the real queue
	 * instead of the unmade fields it inherits: {@link #complete()} says whether that holds for
	 * the running JDK, whose {@code DelayQueue} may have gained a method (Java 21 added
	 * {@code remove()}); if not, the caller keeps the engine's own queue. Thread-safe.
	 */
	static final class LazyDelayQueue<E extends Delayed> extends DelayQueue<E> {

		private static final sun.misc.Unsafe UNSAFE = unsafe();

		private volatile DelayQueue<E> queue;

		private LazyDelayQueue() {
			// Never run: see create().
		}

		private static sun.misc.Unsafe unsafe() {
			try {
				Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
				field.setAccessible(true);
				return (sun.misc.Unsafe) field.get(null);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				return null;
			}
		}

		/**
		 * Whether every public instance method {@code DelayQueue} declares on this JDK is
		 * overridden here, and instances can be made without its constructor.
		 */
		static boolean complete() {
			return UNSAFE != null && missing().isEmpty();
		}

		/** The public instance methods of {@code DelayQueue} not overridden here. */
		static List<String> missing() {
			return Arrays.stream(DelayQueue.class.getDeclaredMethods())
				.filter((method) -> Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers())
						&& !method.isBridge() && !method.isSynthetic())
				.filter((method) -> !overridden(method))
				.map((method) -> method.getName() + Arrays.toString(method.getParameterTypes()))
				.toList();
		}

		private static boolean overridden(Method method) {
			try {
				LazyDelayQueue.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
				return true;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

		/** An empty queue; call only when {@link #complete()}. */
		@SuppressWarnings("unchecked")
		static <E extends Delayed> LazyDelayQueue<E> create() {
			try {
				return (LazyDelayQueue<E>) UNSAFE.allocateInstance(LazyDelayQueue.class);
			}
			catch (InstantiationException ex) {
				throw new IllegalStateException(ex);
			}
		}

		private DelayQueue<E> reading() {
			DelayQueue<E> made = this.queue;
			return (made != null) ? made : empty();
		}

		@SuppressWarnings("unchecked")
		private static <E extends Delayed> DelayQueue<E> empty() {
			return (DelayQueue<E>) Empty.QUEUE;
		}

		private DelayQueue<E> writing() {
			DelayQueue<E> made = this.queue;
			if (made == null) {
				synchronized (this) {
					made = this.queue;
					if (made == null) {
						made = new DelayQueue<>();
						this.queue = made;
					}
				}
			}
			return made;
		}

		@Override
		public boolean add(E element) {
			return writing().add(element);
		}

		@Override
		public boolean offer(E element) {
			return writing().offer(element);
		}

		@Override
		public void put(E element) {
			writing().put(element);
		}

		@Override
		public boolean offer(E element, long timeout, TimeUnit unit) {
			return writing().offer(element, timeout, unit);
		}

		@Override
		public E poll() {
			return reading().poll();
		}

		@Override
		public E take() throws InterruptedException {
			return writing().take();
		}

		@Override
		public E poll(long timeout, TimeUnit unit) throws InterruptedException {
			return (this.queue != null || timeout > 0) ? writing().poll(timeout, unit) : null;
		}

		@Override
		public E remove() {
			return reading().remove();
		}

		@Override
		public E peek() {
			return reading().peek();
		}

		@Override
		public int size() {
			return reading().size();
		}

		@Override
		public boolean isEmpty() {
			DelayQueue<E> made = this.queue;
			return made == null || made.isEmpty();
		}

		@Override
		public int drainTo(Collection<? super E> target) {
			return reading().drainTo(target);
		}

		@Override
		public int drainTo(Collection<? super E> target, int maxElements) {
			return reading().drainTo(target, maxElements);
		}

		@Override
		public void clear() {
			reading().clear();
		}

		@Override
		public int remainingCapacity() {
			return Integer.MAX_VALUE;
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
		public boolean remove(Object element) {
			return reading().remove(element);
		}

		@Override
		public Iterator<E> iterator() {
			// Of the real queue, so that removing through it works; an empty one's removes nothing.
			return reading().iterator();
		}

		@Override
		public String toString() {
			return reading().toString();
		}

		/** One empty queue that all not yet used ones read: nothing is ever added to it. */
		private static final class Empty {

			static final DelayQueue<Delayed> QUEUE = new DelayQueue<>();

		}

	}

}

package com.mqtthub.broker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes handed from one side of an in-process link to the other and not yet taken, bounded.
 * <p>
 * Netty's local transport moves every written message straight into the peer's queue, whether
 * the peer reads or not: without this window a slow browser, or a publisher the broker holds
 * back, would make the hub buffer without limit. A TCP socket's buffers set that bound; here the
 * sender stops at {@code maxBytes} not yet taken and goes on when the receiver has taken some.
 */
public final class FlowWindow {

	private final long maxBytes;

	private final AtomicLong untaken = new AtomicLong();

	private volatile Runnable onOpen = () -> {
	};

	public FlowWindow(long maxBytes) {
		if (maxBytes <= 0) {
			throw new IllegalArgumentException("A flow window needs room for at least one byte");
		}
		this.maxBytes = maxBytes;
	}

	/** Whether the sender may hand over more. */
	public boolean isOpen() {
		return this.untaken.get() < this.maxBytes;
	}

	/** The sender handed over {@code bytes}. */
	public void sent(long bytes) {
		this.untaken.addAndGet(bytes);
	}

	/** The receiver took {@code bytes}: when that opens the window, the waiting sender goes on. */
	public void taken(long bytes) {
		long after = this.untaken.addAndGet(-bytes);
		if (after < this.maxBytes && after + bytes >= this.maxBytes) {
			this.onOpen.run();
			synchronized (this) {
				notifyAll();
			}
		}
	}

	/** Bytes handed over and not yet taken. */
	public long untaken() {
		return this.untaken.get();
	}

	/** Runs {@code action} (quickly, on the receiver's thread) each time the window opens again. */
	void onOpen(Runnable action) {
		this.onOpen = action;
	}

	/**
	 * Waits until the window is open, for a sender that may block (a web server thread that
	 * reads the browser's socket: while it waits, the browser's data stays in the socket).
	 * @return false when the window was still closed after {@code timeout}
	 */
	public boolean awaitOpen(long timeout, TimeUnit unit) throws InterruptedException {
		long deadline = System.nanoTime() + unit.toNanos(timeout);
		synchronized (this) {
			while (!isOpen()) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this, left);
			}
		}
		return true;
	}

}

package com.mqtthub.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * What the load tool's own JVM did during the measured window: its collections (with the
 * stop-the-world collector the tool runs with, each one a pause of every client, which shows up as
 * latency of the broker), the time its JIT compilers spent (on the tool's one core, time taken
 * from the clients), and the bytes its threads allocated.
 */
final class ToolOverhead implements NotificationListener {

	private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();

	private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	private volatile boolean measuring;

	private long pauses;

	private long pauseMillis;

	private long maxPauseMillis;

	private long jitStart;

	private long jitMillis = -1;

	private long allocStart;

	private long allocatedBytes = -1;

	ToolOverhead() {
		for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
			if (gc instanceof NotificationEmitter emitter) {
				emitter.addNotificationListener(this, null, null);
			}
		}
	}

	void start() {
		this.jitStart = jitMillis();
		this.allocStart = allocated();
		this.measuring = true;
	}

	void stop() {
		this.measuring = false;
		this.jitMillis = (this.jitStart >= 0) ? jitMillis() - this.jitStart : -1;
		long allocEnd = allocated();
		this.allocatedBytes = (this.allocStart >= 0 && allocEnd >= 0) ? allocEnd - this.allocStart : -1;
	}

	@Override
	public synchronized void handleNotification(Notification notification, Object handback) {
		if (!this.measuring
				|| !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
			return;
		}
		GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
			.from((CompositeData) notification.getUserData());
		long millis = info.getGcInfo().getDuration();
		this.pauses++;
		this.pauseMillis += millis;
		this.maxPauseMillis = Math.max(this.maxPauseMillis, millis);
	}

	synchronized void report(BenchReport report) {
		report.put("tool_gc_pauses", this.pauses)
			.put("tool_gc_pause_ms", this.pauseMillis)
			.put("tool_gc_pause_max_ms", this.maxPauseMillis)
			.put("tool_jit_ms", (this.jitMillis >= 0) ? this.jitMillis : null);
	}

	long allocatedBytes() {
		return this.allocatedBytes;
	}

	private long jitMillis() {
		return (this.compiler != null && this.compiler.isCompilationTimeMonitoringSupported())
				? this.compiler.getTotalCompilationTime() : -1;
	}

	/** Bytes allocated so far by the threads alive now (the network threads live through the window). */
	private long allocated() {
		if (!(this.threads instanceof com.sun.management.ThreadMXBean sun) || !sun.isThreadAllocatedMemoryEnabled()) {
			return -1;
		}
		long sum = 0;
		for (long bytes : sun.getThreadAllocatedBytes(this.threads.getAllThreadIds())) {
			sum += Math.max(0, bytes);
		}
		return sum;
	}

}

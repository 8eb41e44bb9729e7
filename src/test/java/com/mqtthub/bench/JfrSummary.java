package com.mqtthub.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time and the allocations of a JFR recording go, as Markdown for
 * {@code docs/benchmarks.md}: the methods most often on top of a CPU sample (self; threads waiting
 * in native code, such as an idle epoll wait, are not CPU samples and are left out), the methods
 * and packages most often anywhere in a sample (total, counted once per sample), the threads, the
 * classes allocated most (by sampled weight) and the frames that allocate them, and the GC pauses.
 * Usage: {@code JfrSummary recording.jfr [rows]}.
 */
public final class JfrSummary {

	private JfrSummary() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length < 1) {
			System.err.println("Usage: JfrSummary recording.jfr [rows]");
			System.exit(2);
		}
		int rows = (args.length > 1) ? Integer.parseInt(args[1]) : 15;
		System.out.print(summarise(Path.of(args[0]), Math.max(1, Math.min(rows, 100))));
	}

	static String summarise(Path recording, int rows) throws IOException {
		Map<String, Long> self = new HashMap<>();
		Map<String, Long> total = new HashMap<>();
		Map<String, Long> ownTotal = new HashMap<>();
		Map<String, Long> collectors = new HashMap<>();
		Map<String, Long> packages = new HashMap<>();
		Map<String, Long> threads = new HashMap<>();
		Map<String, Long> allocatedClasses = new HashMap<>();
		Map<String, Long> allocatingFrames = new HashMap<>();
		long samples = 0;
		long allocated = 0;
		long gcCount = 0;
		long gcNanos = 0;
		for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
			String type = event.getEventType().getName();
			switch (type) {
				case "jdk.ExecutionSample" -> {
					RecordedStackTrace stack = event.getStackTrace();
					if (stack == null || stack.getFrames().isEmpty()) {
						continue;
					}
					samples++;
					List<RecordedFrame> frames = stack.getFrames();
					self.merge(method(frames.get(0)), 1L, Long::sum);
					Set<String> seenMethods = new HashSet<>();
					Set<String> seenPackages = new HashSet<>();
					for (RecordedFrame frame : frames) {
						String method = method(frame);
						if (seenMethods.add(method)) {
							total.merge(method, 1L, Long::sum);
							if (isBrokerCode(frame)) {
								ownTotal.merge(method, 1L, Long::sum);
							}
						}
						String pkg = packageOf(frame);
						if (seenPackages.add(pkg)) {
							packages.merge(pkg, 1L, Long::sum);
						}
					}
					String thread = (event.getThread("sampledThread") != null)
							? event.getThread("sampledThread").getJavaName() : "?";
					threads.merge(thread.replaceAll("[0-9]+", "N"), 1L, Long::sum);
				}
				case "jdk.ObjectAllocationSample" -> {
					long weight = event.getLong("weight");
					allocated += weight;
					allocatedClasses.merge(event.getClass("objectClass").getName(), weight, Long::sum);
					RecordedStackTrace stack = event.getStackTrace();
					if (stack != null && !stack.getFrames().isEmpty()) {
						allocatingFrames.merge(firstOwnFrame(stack.getFrames()), weight, Long::sum);
					}
				}
				case "jdk.GarbageCollection" -> {
					gcCount++;
					gcNanos += event.getDuration().toNanos();
					collectors.merge(event.getString("name"), 1L, Long::sum);
				}
				default -> {
				}
			}
		}
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "%,d CPU samples, %,.0f MB allocated (sampled weight), %d GCs %s taking %,.0f ms in all%n%n",
				samples, allocated / 1048576.0, gcCount, collectors.keySet(), gcNanos / 1e6));
		top(out, "Top of stack (self)", self, samples, rows, "%");
		top(out, "Anywhere in the stack (total)", total, samples, rows, "%");
		top(out, "The hub's and the engine's methods anywhere in the stack (total)", ownTotal, samples, rows, "%");
		top(out, "By package (total)", packages, samples, rows, "%");
		top(out, "By thread", threads, samples, Math.min(rows, 10), "%");
		top(out, "Allocated classes", allocatedClasses, allocated, rows, "% of bytes");
		top(out, "Allocating frames (first frame outside java.*, jdk.*, sun.*)", allocatingFrames, allocated, rows, "% of bytes");
		return out.toString();
	}

	private static void top(StringBuilder out, String title, Map<String, Long> counts, long all, int rows, String unit) {
		out.append("| ").append(title).append(" | ").append(unit).append(" |\n|---|---:|\n");
		Map<String, Long> sorted = new LinkedHashMap<>();
		counts.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.limit(rows)
			.forEach((e) -> sorted.put(e.getKey(), e.getValue()));
		sorted.forEach((name, count) -> out.append(String.format(Locale.ROOT, "| `%s` | %.1f |%n", name,
				(all > 0) ? count * 100.0 / all : 0)));
		out.append('\n');
	}

	private static String method(RecordedFrame frame) {
		if (frame.getMethod() == null) {
			return "?";
		}
		String type = frame.getMethod().getType().getName();
		return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethod().getName();
	}

	private static String packageOf(RecordedFrame frame) {
		if (frame.getMethod() == null) {
			return "?";
		}
		String type = frame.getMethod().getType().getName();
		String[] parts = type.split("\\.");
		// Three levels name a library well enough: io.netty.channel, io.moquette.broker, com.mqtthub.broker.
		return String.join(".", java.util.Arrays.copyOf(parts, Math.min(3, parts.length - 1)));
	}

	private static boolean isBrokerCode(RecordedFrame frame) {
		String type = (frame.getMethod() != null) ? frame.getMethod().getType().getName() : "";
		return type.startsWith("com.mqtthub.") || type.startsWith("io.moquette.");
	}

	private static String firstOwnFrame(List<RecordedFrame> frames) {
		for (RecordedFrame frame : frames) {
			String type = (frame.getMethod() != null) ? frame.getMethod().getType().getName() : "";
			if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
				return method(frame);
			}
		}
		return method(frames.get(0));
	}

}

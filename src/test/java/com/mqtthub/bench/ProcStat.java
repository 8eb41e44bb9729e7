package com.mqtthub.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's CPU time and resident memory from Linux's {@code /proc}: the broker's, given its
 * PID, and the load tool's own, to tell when the tool rather than the broker is the limit.
 */
final class ProcStat {

	/** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on every Linux we run on). */
	private static final double TICKS_PER_SECOND = 100;

	private final Path stat;

	private final Path status;

	private ProcStat(String pid) {
		this.stat = Path.of("/proc", pid, "stat");
		this.status = Path.of("/proc", pid, "status");
	}

	/** The process with this PID, or null for none (0) or when there is no such process. */
	static ProcStat of(long pid) {
		if (pid <= 0) {
			return null;
		}
		ProcStat proc = new ProcStat(Long.toString(pid));
		return (proc.cpuSeconds() >= 0) ? proc : null;
	}

	static ProcStat self() {
		return new ProcStat("self");
	}

	/** User and system CPU seconds used so far, or -1 when unreadable. */
	double cpuSeconds() {
		try {
			String line = Files.readString(this.stat);
			// The command name in parentheses may hold spaces: count fields after its closing one.
			String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
			// utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** Resident set size in bytes, or -1 when unreadable. */
	long rssBytes() {
		try {
			for (String line : Files.readAllLines(this.status)) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// gone
		}
		return -1;
	}

}

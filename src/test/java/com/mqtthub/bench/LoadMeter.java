package com.mqtthub.bench;

/**
 * The broker's CPU and memory, and the load tool's own CPU, over one measured stretch of a run.
 * The tool counts as saturated when it used 90% or more of the cores it may run on: then the
 * figures say as much about the tool as about the broker.
 */
final class LoadMeter {

	private static final double SATURATED = 0.9;

	private final ProcStat broker;

	private final ProcStat tool = ProcStat.self();

	private final ToolOverhead overhead = new ToolOverhead();

	private final long brokerPid;

	private final long rssAtStart;

	private long rssMax;

	private long startNanos;

	private double brokerCpuStart;

	private double toolCpuStart;

	private double brokerCpuPercent = Double.NaN;

	private double toolCpuPercent = Double.NaN;

	private long rssAtEnd = -1;

	LoadMeter(long brokerPid) {
		this.brokerPid = brokerPid;
		this.broker = ProcStat.of(brokerPid);
		this.rssAtStart = rss();
		this.rssMax = this.rssAtStart;
	}

	long rss() {
		return (this.broker != null) ? this.broker.rssBytes() : -1;
	}

	void start() {
		this.startNanos = System.nanoTime();
		this.brokerCpuStart = (this.broker != null) ? this.broker.cpuSeconds() : -1;
		this.toolCpuStart = this.tool.cpuSeconds();
		this.overhead.start();
	}

	void sample() {
		this.rssMax = Math.max(this.rssMax, rss());
	}

	void stop() {
		this.overhead.stop();
		double seconds = (System.nanoTime() - this.startNanos) / 1e9;
		if (this.broker != null) {
			this.brokerCpuPercent = (this.broker.cpuSeconds() - this.brokerCpuStart) / seconds * 100;
		}
		this.toolCpuPercent = (this.tool.cpuSeconds() - this.toolCpuStart) / seconds * 100;
		this.rssAtEnd = rss();
		sample();
	}

	void report(BenchReport report) {
		int cores = Runtime.getRuntime().availableProcessors();
		if (this.broker != null) {
			report.put("broker_pid", this.brokerPid)
				.put("broker_cpu_pct", this.brokerCpuPercent)
				.put("broker_rss_start_mb", mb(this.rssAtStart))
				.put("broker_rss_max_mb", mb(this.rssMax))
				.put("broker_rss_end_mb", mb(this.rssAtEnd));
		}
		else {
			report.put("broker_pid", null);
		}
		report.put("tool_cpu_pct", this.toolCpuPercent)
			.put("tool_cores", cores)
			.put("tool_saturated", this.toolCpuPercent >= SATURATED * 100 * cores);
		this.overhead.report(report);
	}

	/** Bytes the tool's threads allocated during the window, -1 when the JVM does not say. */
	long toolAllocatedBytes() {
		return this.overhead.allocatedBytes();
	}

	static Double mb(long bytes) {
		return (bytes < 0) ? null : Math.round(bytes / 1048576.0 * 10) / 10.0;
	}

}

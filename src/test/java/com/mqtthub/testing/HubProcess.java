package com.mqtthub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged application ({@code target/*.jar}) running as a child process, as a user runs it,
 * for tests that stop or kill it. Its output goes to the test's output with a prefix.
 */
public final class HubProcess implements AutoCloseable {

	private static final Pattern TCP_LINE = Pattern.compile("MQTT over TCP on [^:]+:(\\d+)");

	private static final Pattern STARTED_LINE = Pattern.compile("Started MqttHubApplication");

	private final Process process;

	private final CompletableFuture<Integer> tcpPort = new CompletableFuture<>();

	private final CompletableFuture<Void> started = new CompletableFuture<>();

	private final List<String> output = new ArrayList<>();

	private final Thread reader;

	private HubProcess(Process process) {
		this.process = process;
		this.reader = new Thread(this::readOutput, "hub-process-output");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/** Starts the packaged application on free ports with its data in {@code dataDirectory}. */
	public static HubProcess start(Path dataDirectory, String... extraArgs) throws IOException {
		return start(dataDirectory, List.of(), extraArgs);
	}

	/** Likewise, with {@code jvmOptions} before {@code -jar}. */
	public static HubProcess start(Path dataDirectory, List<String> jvmOptions, String... extraArgs)
			throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		String leakLevel = System.getProperty("io.netty.leakDetection.level");
		if (leakLevel != null) {
			command.add("-Dio.netty.leakDetection.level=" + leakLevel);
		}
		command.add("-Xmx256m");
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(packagedJar().toString());
		command.add("--server.port=0");
		command.add("--mqtthub.broker.port=0");
		command.add("--mqtthub.broker.websocket.port=0");
		command.add("--mqtthub.broker.data-directory=" + dataDirectory.toAbsolutePath());
		command.add("--mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD);
		command.addAll(List.of(extraArgs));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		return new HubProcess(process);
	}

	/**
	 * Runs {@code command} (a start script, say) in {@code directory} with {@code environment}
	 * added to this process's own, and watches its output as for the packaged application.
	 */
	public static HubProcess run(List<String> command, Path directory, Map<String, String> environment)
			throws IOException {
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
		builder.environment().putAll(environment);
		return new HubProcess(builder.start());
	}

	/** The packaged application under {@code target/}. */
	public static Path packagedJar() throws IOException {
		try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "mqtt-hub-*.jar")) {
			for (Path jar : jars) {
				if (!jar.toString().endsWith("-plain.jar")) {
					return jar;
				}
			}
		}
		throw new IllegalStateException("No packaged application under target/: run 'mvn package' first");
	}

	private void readOutput() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				synchronized (this.output) {
					this.output.add(line);
				}
				System.out.println("[hub " + this.process.pid() + "] " + line);
				Matcher tcp = TCP_LINE.matcher(line);
				if (tcp.find()) {
					this.tcpPort.complete(Integer.parseInt(tcp.group(1)));
				}
				if (STARTED_LINE.matcher(line).find()) {
					this.started.complete(null);
				}
			}
		}
		catch (IOException ex) {
			// the process ended
		}
		this.started.completeExceptionally(new IllegalStateException("The hub ended before it started"));
	}

	/** Waits until the application has started; returns its MQTT over TCP port. */
	public int awaitStarted(Duration timeout) throws Exception {
		this.started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		return this.tcpPort.get(1, TimeUnit.SECONDS);
	}

	/** SIGTERM, as a service manager stops it; waits for the exit code. */
	public int stopGracefully(Duration timeout) throws InterruptedException {
		// Through the handle: Process.destroy() would also close our end of its output, and the
		// lines it logs while stopping would be lost.
		this.process.toHandle().destroy();
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new AssertionError("The hub did not stop within " + timeout);
		}
		// Its last lines may still be on their way.
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
		return this.process.exitValue();
	}

	/** SIGKILL: the process ends at once, as in a crash or power cut of the JVM. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	public List<String> output() {
		synchronized (this.output) {
			return List.copyOf(this.output);
		}
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			kill();
		}
	}

}

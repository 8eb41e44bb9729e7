package com.mqtthub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Mosquitto ({@code /usr/sbin/mosquitto}, the Debian package) as a remote broker: its own
 * configuration and persistence under a test directory, one listener on a free 127.0.0.1 port.
 * Tests that need it are skipped when it is not installed, unless the environment variable
 * {@code REQUIRE_MOSQUITTO=1} asks for them to fail instead (as CI does).
 */
public final class Mosquitto implements AutoCloseable {

	static final Path BINARY = Path.of("/usr/sbin/mosquitto");

	private final Path directory;

	private final int port;

	private Process process;

	private Mosquitto(Path directory, int port) {
		this.directory = directory;
		this.port = port;
	}

	/** Skips the calling test when Mosquitto is missing (fails it under REQUIRE_MOSQUITTO=1). */
	public static void assumeAvailable() {
		if (Files.isExecutable(BINARY)) {
			return;
		}
		String message = "Mosquitto is not installed at " + BINARY + ": run apt-get install -y mosquitto";
		if ("1".equals(System.getenv("REQUIRE_MOSQUITTO"))) {
			fail(message + " (REQUIRE_MOSQUITTO=1)");
		}
		assumeTrue(false, message + "; skipping the bridge tests against it");
	}

	/** Starts one for a test class, with its files in a directory of its own under target/test-data. */
	public static Mosquitto startForTest(String passwordLine) throws IOException, InterruptedException {
		return start(Path.of("target/test-data/mosquitto-" + java.util.UUID.randomUUID()), passwordLine);
	}

	/** Stops {@code mosquitto} when one was started (an {@code @AfterAll} after a skipped start). */
	public static void closeIfStarted(Mosquitto mosquitto) throws InterruptedException {
		if (mosquitto != null) {
			mosquitto.close();
		}
	}

	/**
	 * Configures bridge {@code index} of the hub under test: {@code name}, one remote address
	 * (read when the property is, so the remote may start after this runs), one rule carrying
	 * {@code filter} out, and reconnects 200 ms to 1 s apart so that tests do not wait.
	 */
	public static void registerBridge(org.springframework.test.context.DynamicPropertyRegistry registry, int index,
			String name, java.util.function.Supplier<Object> address, String filter) {
		String at = "mqtthub.bridges[" + index + "].";
		registry.add(at + "name", () -> name);
		registry.add(at + "addresses[0]", address);
		registry.add(at + "reconnect.initial-delay", () -> "200ms");
		registry.add(at + "reconnect.max-delay", () -> "1s");
		registry.add(at + "topics[0].filter", () -> filter);
	}

	/**
	 * Writes a configuration (anonymous clients allowed unless {@code passwordLine} names a user
	 * as "user:password") and starts Mosquitto.
	 */
	public static Mosquitto start(Path directory, String passwordLine) throws IOException, InterruptedException {
		Mosquitto mosquitto = configure(directory, passwordLine);
		mosquitto.start();
		return mosquitto;
	}

	/** Writes the configuration and picks a port without starting Mosquitto. */
	public static Mosquitto configure(Path directory, String passwordLine) throws IOException, InterruptedException {
		return configure(directory, passwordLine, List.of());
	}

	/**
	 * Writes the configuration, with these lines for its listener (e.g. {@code cafile ...},
	 * {@code require_certificate true} for TLS), and picks a port without starting Mosquitto.
	 */
	public static Mosquitto configure(Path directory, String passwordLine, List<String> listenerOptions)
			throws IOException, InterruptedException {
		assumeAvailable();
		Files.createDirectories(directory);
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		StringBuilder config = new StringBuilder();
		config.append("listener ").append(port).append(" 127.0.0.1\n");
		listenerOptions.forEach((line) -> config.append(line).append('\n'));
		// Started as root, Mosquitto would switch to its own user, which cannot write here.
		config.append("user ").append(System.getProperty("user.name")).append('\n');
		config.append("persistence true\n");
		config.append("persistence_location ").append(directory.toAbsolutePath()).append("/\n");
		config.append("autosave_interval 1\n");
		config.append("max_queued_messages 100000\n");
		config.append("log_dest stdout\n");
		config.append("log_type error\nlog_type warning\nlog_type notice\n");
		if (passwordLine == null) {
			config.append("allow_anonymous true\n");
		}
		else {
			Path passwords = directory.resolve("passwords");
			Files.writeString(passwords, passwordLine + "\n");
			Process hash = new ProcessBuilder("mosquitto_passwd", "-U", passwords.toString()).inheritIO().start();
			if (!hash.waitFor(30, TimeUnit.SECONDS) || hash.exitValue() != 0) {
				throw new IllegalStateException("mosquitto_passwd failed");
			}
			config.append("allow_anonymous false\npassword_file ").append(passwords.toAbsolutePath()).append('\n');
		}
		Files.writeString(directory.resolve("mosquitto.conf"), config);
		return new Mosquitto(directory, port);
	}

	/** Starts (or starts again, on the same port and data) and waits until it accepts connections. */
	public synchronized void start() throws IOException, InterruptedException {
		this.process = new ProcessBuilder(BINARY.toString(), "-c", this.directory.resolve("mosquitto.conf").toString())
			.redirectErrorStream(true)
			.start();
		Process started = this.process;
		Thread output = new Thread(() -> copyOutput(started), "mosquitto-output");
		output.setDaemon(true);
		output.start();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < deadline) {
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
				return;
			}
			catch (IOException ex) {
				if (!started.isAlive()) {
					throw new IllegalStateException("Mosquitto ended at start-up with " + started.exitValue());
				}
				Thread.sleep(50);
			}
		}
		throw new IllegalStateException("Mosquitto did not listen on " + this.port + " within 20 s");
	}

	private static void copyOutput(Process process) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = lines.readLine()) != null) {
				System.out.println("[mosquitto " + process.pid() + "] " + line);
			}
		}
		catch (IOException ex) {
			// it ended
		}
	}

	/** SIGTERM: Mosquitto saves its state and ends. */
	public synchronized void stop() throws InterruptedException {
		if (this.process == null) {
			return;
		}
		this.process.toHandle().destroy();
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
		this.process = null;
	}

	public String uri() {
		return "tcp://127.0.0.1:" + this.port;
	}

	public int port() {
		return this.port;
	}

	/** Command line arguments that configure bridge 0 of a hub to this Mosquitto. */
	public List<String> bridgeArguments(String name, String filter) {
		return List.of("--mqtthub.bridges[0].name=" + name, "--mqtthub.bridges[0].addresses[0]=" + uri(),
				"--mqtthub.bridges[0].topics[0].filter=" + filter);
	}

	@Override
	public void close() throws InterruptedException {
		stop();
	}

}

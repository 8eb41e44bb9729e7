package com.mqtthub.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A throw-away PostgreSQL cluster of the Debian {@code postgresql} package: {@code initdb} in a
 * temporary directory, started with {@code pg_ctl} on a free loopback port, deleted on close.
 * PostgreSQL refuses to run as root, so as root (CI) it runs as the package's {@code postgres}
 * system user through {@code runuser}.
 * <p>
 * Without PostgreSQL the calling test is skipped with a message, unless the environment variable
 * {@code REQUIRE_POSTGRES=1} asks for a failure instead (CI sets it).
 */
public final class PostgresServer implements AutoCloseable {

	/** The superuser of the cluster; local connections need no password (trust, loopback only). */
	public static final String USER = "hubtest";

	private static final Path INSTALLATIONS = Path.of("/usr/lib/postgresql");

	private static final String SYSTEM_USER = "postgres";

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private final Path bin;

	private final Path directory;

	private final boolean asSystemUser;

	private final int port;

	private PostgresServer(Path bin, Path directory, boolean asSystemUser, int port) {
		this.bin = bin;
		this.directory = directory;
		this.asSystemUser = asSystemUser;
		this.port = port;
	}

	public int port() {
		return this.port;
	}

	public String jdbcUrl() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/postgres";
	}

	/** Starts a new cluster, or skips (fails with REQUIRE_POSTGRES=1) the test when PostgreSQL is missing. */
	public static PostgresServer start() throws Exception {
		Path bin = findBin();
		boolean root = "root".equals(System.getProperty("user.name"));
		if (bin == null) {
			unavailable("PostgreSQL tests need the Debian package postgresql (" + INSTALLATIONS
					+ "/<version>/bin/initdb): run apt-get install -y postgresql");
		}
		if (root && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
			unavailable("Running as root, the PostgreSQL test needs /usr/sbin/runuser to start the server as "
					+ SYSTEM_USER);
		}
		Path directory = Files.createTempDirectory(Path.of("/tmp"), "mqtthub-postgres-");
		if (root) {
			UserPrincipal owner;
			try {
				owner = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SYSTEM_USER);
			}
			catch (IOException ex) {
				Files.delete(directory);
				unavailable("Running as root, the PostgreSQL test needs the system user " + SYSTEM_USER
						+ " (created by the postgresql package)");
				return null;
			}
			Files.setOwner(directory, owner);
		}
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		PostgresServer server = new PostgresServer(bin, directory, root, port);
		try {
			Path data = directory.resolve("data");
			server.run("initdb", "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-locale",
					"--no-sync");
			server.run("pg_ctl", "-D", data.toString(), "-l", directory.resolve("server.log").toString(), "-w", "-t",
					Long.toString(TIMEOUT.toSeconds()), "-o",
					"-p " + port + " -c listen_addresses=127.0.0.1 -k " + directory + " -F", "start");
			return server;
		}
		catch (Exception ex) {
			server.close();
			throw ex;
		}
	}

	private static void unavailable(String message) {
		if ("1".equals(System.getenv("REQUIRE_POSTGRES"))) {
			fail(message + " (REQUIRE_POSTGRES=1 makes this a failure instead of a skip)");
		}
		assumeTrue(false, message);
	}

	private static Path findBin() throws IOException {
		if (!Files.isDirectory(INSTALLATIONS)) {
			return null;
		}
		List<Path> versions = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(INSTALLATIONS)) {
			for (Path entry : entries) {
				if (Files.isExecutable(entry.resolve("bin/initdb")) && Files.isExecutable(entry.resolve("bin/pg_ctl"))) {
					versions.add(entry.resolve("bin"));
				}
			}
		}
		// The newest, by major version number.
		return versions.stream()
			.max(Comparator.comparingInt((Path p) -> parseVersion(p.getParent().getFileName().toString())))
			.orElse(null);
	}

	private static int parseVersion(String name) {
		try {
			return Integer.parseInt(name.replaceAll("\\D.*", ""));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private void run(String tool, String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		if (this.asSystemUser) {
			command.addAll(List.of("/usr/sbin/runuser", "-u", SYSTEM_USER, "--"));
		}
		command.add(this.bin.resolve(tool).toString());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.directory(this.directory.toFile())
			.start();
		String output;
		try (var in = process.getInputStream()) {
			output = new String(in.readAllBytes());
		}
		if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException(tool + " did not finish within " + TIMEOUT);
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException(tool + " failed (" + process.exitValue() + "): " + output + serverLog());
		}
	}

	private String serverLog() {
		try {
			Path log = this.directory.resolve("server.log");
			return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
		}
		catch (IOException ex) {
			return "";
		}
	}

	/** Stops the server and deletes the cluster. */
	@Override
	public void close() throws Exception {
		try {
			if (Files.exists(this.directory.resolve("data/postmaster.pid"))) {
				run("pg_ctl", "-D", this.directory.resolve("data").toString(), "-m", "immediate", "-w", "stop");
			}
		}
		finally {
			try (Stream<Path> paths = Files.walk(this.directory)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

}

package com.mqtthub.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.util.FileSystemUtils;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Starts the Debian Chromium headless through the Debian chromedriver, both named explicitly so
 * that Selenium never looks for (or downloads) a browser or driver of its own.
 * <p>
 * Without them the browser tests are skipped, unless the environment variable
 * {@code REQUIRE_BROWSER=1} asks for them to fail instead (as a CI machine should).
 */
public final class Chromium implements AutoCloseable {

	static final Path BINARY = Path.of("/usr/bin/chromium");

	static final Path DRIVER = Path.of("/usr/bin/chromedriver");

	private static final String INSTALL_HINT = "run apt-get install -y chromium chromium-driver";

	private final ChromeDriver driver;

	private final Path profile;

	private Chromium(ChromeDriver driver, Path profile) {
		this.driver = driver;
		this.profile = profile;
	}

	public ChromeDriver driver() {
		return this.driver;
	}

	/** Where the browser saves downloaded files. */
	public Path downloads() {
		return this.profile.resolve("downloads");
	}

	/** Quits the browser and deletes its profile. */
	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			FileSystemUtils.deleteRecursively(this.profile.toFile());
		}
	}

	public static boolean available() {
		return Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
	}

	/** Skips the calling test (or fails it when REQUIRE_BROWSER=1) without Chromium and its driver. */
	public static void assumeAvailable() {
		if (available()) {
			return;
		}
		String message = "Browser tests need " + BINARY + " and " + DRIVER + ": " + INSTALL_HINT;
		if ("1".equals(System.getenv("REQUIRE_BROWSER"))) {
			fail(message + " (REQUIRE_BROWSER=1 makes this a failure instead of a skip)");
		}
		assumeTrue(false, message);
	}

	/** A fresh headless browser with its own throw-away profile; close it when done. */
	public static Chromium start() {
		Path profile;
		try {
			profile = Files.createTempDirectory("mqtthub-chromium-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(BINARY.toFile());
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--disable-extensions",
				"--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1000");
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(DRIVER.toString()))
			.usingAnyFreePort()
			.withTimeout(Duration.ofSeconds(60))
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().window().setSize(new Dimension(1400, 1000));
		driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
		Chromium chromium = new Chromium(driver, profile);
		try {
			Files.createDirectories(chromium.downloads());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		driver.executeCdpCommand("Browser.setDownloadBehavior",
				Map.of("behavior", "allow", "downloadPath", chromium.downloads().toAbsolutePath().toString()));
		return chromium;
	}

}

package com.mqtthub.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.mqtthub.console.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The base of every browser test: one headless Chromium per test class, logging in through the
 * login page, desktop and phone viewports, and the checks every page must pass (no horizontal
 * overflow, axe-core accessibility rules).
 */
public abstract class BrowserTest {

	/** A laptop screen. */
	public static final Viewport DESKTOP = new Viewport(1366, 800, false);

	/** A current phone in portrait, with mobile emulation (the page's viewport meta counts). */
	public static final Viewport PHONE = new Viewport(390, 844, true);

	protected static final Duration WAIT = Duration.ofSeconds(20);

	protected static Chromium browser;

	protected static WebDriver driver;

	@LocalServerPort
	protected int port;

	@BeforeAll
	static void startBrowser() {
		Chromium.assumeAvailable();
		browser = Chromium.start();
		driver = browser.driver();
		viewport(DESKTOP);
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
			browser = null;
		}
	}

	/** A viewport size; {@code mobile} emulates a phone (viewport meta applies, touch). */
	public record Viewport(int width, int height, boolean mobile) {
	}

	/** Sets the page's viewport exactly, as a device of that size would have it. */
	protected static void viewport(Viewport viewport) {
		((ChromeDriver) driver).executeCdpCommand("Emulation.setDeviceMetricsOverride",
				Map.of("width", viewport.width(), "height", viewport.height(), "deviceScaleFactor", 1, "mobile",
						viewport.mobile()));
	}

	protected String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	/** Opens path (with its query, if any) as the administrator, logging in first when asked to. */
	protected void open(String path) {
		open(path, HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
	}

	protected void open(String path, String user, String password) {
		driver.get(url(path));
		if (driver.getCurrentUrl().contains("/login")) {
			type("username", user);
			type("password", password);
			driver.findElement(By.cssSelector("form button[type=submit]")).click();
			waitUntil((d) -> !d.getCurrentUrl().contains("/login"));
			driver.get(url(path));
		}
	}

	/** The page is no wider than the viewport: nothing to scroll sideways, and a viewport meta. */
	protected static void assertNoHorizontalOverflow() {
		@SuppressWarnings("unchecked")
		Map<String, Object> sizes = (Map<String, Object>) js("""
				var meta = document.querySelector('meta[name=viewport]');
				return { meta: meta ? meta.content : null, viewport: document.documentElement.clientWidth,
				  page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
				  inner: window.innerWidth };""");
		String page = driver.getCurrentUrl();
		assertThat(sizes.get("meta")).as("viewport meta of %s", page).isEqualTo("width=device-width, initial-scale=1");
		assertThat(((Number) sizes.get("page")).intValue()).as("page width of %s (viewport %s)", page, sizes)
			.isLessThanOrEqualTo(((Number) sizes.get("viewport")).intValue());
	}

	/** Runs axe-core on the page and fails on any serious or critical violation. */
	protected static void assertAccessible() {
		js(AxeCore.source());
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> violations = (List<Map<String, Object>>) ((JavascriptExecutor) driver)
			.executeAsyncScript("""
					var done = arguments[arguments.length - 1];
					axe.run(document, { resultTypes: ['violations'] }).then(function (result) {
					  done(result.violations.filter(function (v) {
					    return v.impact === 'serious' || v.impact === 'critical';
					  }).map(function (v) {
					    return { id: v.id, impact: v.impact, help: v.help,
					      nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(' '); }) };
					  }));
					}, function (error) { done([{ id: 'axe-error', help: String(error) }]); });""");
		assertThat(violations).as("serious or critical accessibility violations on %s", driver.getCurrentUrl())
			.isEmpty();
	}

	/**
	 * A picture of the page: under {@code target/screenshots} on every run, and under {@code docs/}
	 * when run with {@code -Ddocs.screenshots=true} and docsName is given.
	 */
	protected static void screenshot(String name, String docsName) throws IOException {
		byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
		Path file = Path.of("target", "screenshots", name);
		Files.createDirectories(file.getParent());
		Files.write(file, png);
		if (docsName != null && Boolean.getBoolean("docs.screenshots")) {
			Files.write(Path.of("docs", docsName), png);
		}
	}

	protected static Object js(String script, Object... args) {
		return ((JavascriptExecutor) driver).executeScript(script, args);
	}

	protected static WebElement byId(String id) {
		return driver.findElement(By.id(id));
	}

	protected static String text(String id) {
		return byId(id).getText();
	}

	protected static String value(String id) {
		return byId(id).getDomProperty("value");
	}

	protected static String attribute(String id, String name) {
		return byId(id).getDomAttribute(name);
	}

	protected static void click(String id) {
		byId(id).click();
	}

	protected static void type(String id, String text) {
		WebElement field = byId(id);
		field.clear();
		if (!text.isEmpty()) {
			field.sendKeys(text);
		}
		else {
			// clear() fires no input event; the pages listen to those.
			js("arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field);
		}
	}

	protected static void waitForText(String id, String expected) {
		new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBe(By.id(id), expected));
	}

	protected static void waitUntil(Function<WebDriver, Boolean> condition) {
		new WebDriverWait(driver, WAIT).until(condition::apply);
	}

	protected static void waitUntil(Duration wait, Function<WebDriver, Boolean> condition) {
		new WebDriverWait(driver, wait).until(condition::apply);
	}

	/** The axe-core script, from the test class path (a Maven test dependency, never a CDN). */
	private static final class AxeCore {

		private static String source;

		static synchronized String source() {
			if (source == null) {
				try (InputStream in = BrowserTest.class.getResourceAsStream("/axe.min.js")) {
					if (in == null) {
						throw new IllegalStateException("axe.min.js is not on the test class path");
					}
					source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			return source;
		}

	}

}

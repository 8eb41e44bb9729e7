package com.mqtthub.security;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mqtthub.console.Chromium;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Content-Security-Policy and Referrer-Policy on every answer, the pages still working under
 * them in a real Chromium without one violation, and the API description for administrators only.
 */
@HubTest
class SecurityHeadersIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Records every CSP violation of every page, from before the page's own scripts run. */
	private static final String VIOLATION_RECORDER = "window.cspViolations = [];"
			+ "document.addEventListener('securitypolicyviolation', function (e) {"
			+ " window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber);"
			+ "});";

	private static final List<String> ADMIN_PAGES = List.of("/admin/dashboard", "/admin/clients", "/admin/retained",
			"/admin/topics", "/admin/bridges", "/admin/users", "/admin/users/" + HubTest.ADMIN, "/admin/rules", "/admin/access",
			"/admin/api", "/swagger-ui/index.html");

	private static Chromium browser;

	private static ChromeDriver driver;

	@LocalServerPort
	private int port;

	@Autowired
	private UserService users;

	@BeforeAll
	static void startBrowser() {
		Chromium.assumeAvailable();
		browser = Chromium.start();
		driver = browser.driver();
		driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", VIOLATION_RECORDER));
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

	private static Object js(String script) {
		return ((JavascriptExecutor) driver).executeScript(script);
	}

	private static List<?> violations() {
		return (List<?>) js("return window.cspViolations || ['recorder missing'];");
	}

	@Test
	void everyAnswerCarriesThePolicies() throws Exception {
		WebSession anonymous = new WebSession(this.port);
		for (String path : List.of("/login", "/", "/css/security.css", "/api/users")) {
			HttpResponse<String> response = anonymous.get(path);
			assertThat(response.headers().firstValue("Content-Security-Policy")).as(path)
				.hasValue("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
						+ "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'");
			assertThat(response.headers().firstValue("Referrer-Policy")).as(path).hasValue("same-origin");
		}
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		// The stock Swagger UI needs inline style (never inline script).
		assertThat(admin.get("/swagger-ui/index.html").headers().firstValue("Content-Security-Policy"))
			.hasValueSatisfying((policy) -> assertThat(policy).contains("style-src 'self' 'unsafe-inline';")
				.contains("script-src 'self';"));
	}

	@Test
	void theConsoleLogsInConnectsAndRunsWithoutAViolation() {
		driver.get(url("/login"));
		driver.manage().deleteAllCookies();
		driver.get(url("/?lang=en"));
		driver.findElement(By.id("username")).sendKeys(HubTest.ADMIN);
		driver.findElement(By.id("password")).sendKeys(HubTest.ADMIN_PASSWORD);
		driver.findElement(By.cssSelector("form button[type=submit]")).click();
		new WebDriverWait(driver, WAIT).until((d) -> !d.getCurrentUrl().contains("/login"));
		assertThat(violations()).as("CSP violations on the login page and console").isEmpty();
		// The texts came through the JSON data block: a translated status, not its key.
		assertThat(driver.findElement(By.id("connectionStatus")).getText()).isNotBlank().doesNotContain("status.");

		driver.findElement(By.id("password")).sendKeys(HubTest.ADMIN_PASSWORD);
		driver.findElement(By.id("connect")).click();
		new WebDriverWait(driver, WAIT).until((d) -> "connected"
			.equals(d.findElement(By.id("connectionStatus")).getAttribute("data-state")));
		assertThat(violations()).as("CSP violations while connecting over WebSocket").isEmpty();

		// The policy is enforced and the recorder sees it: an inline script is refused.
		js("var s = document.createElement('script'); s.textContent = 'window.inlineRan = true;';"
				+ " document.body.appendChild(s);");
		new WebDriverWait(driver, WAIT).until((d) -> !violations().isEmpty());
		assertThat(js("return window.inlineRan === true;")).isEqualTo(false);
	}

	@Test
	void everyAdminPageRunsWithoutAViolation() {
		driver.get(url("/login"));
		driver.manage().deleteAllCookies();
		driver.get(url("/admin/users?lang=en"));
		if (driver.getCurrentUrl().contains("/login")) {
			driver.findElement(By.id("username")).sendKeys(HubTest.ADMIN);
			driver.findElement(By.id("password")).sendKeys(HubTest.ADMIN_PASSWORD);
			driver.findElement(By.cssSelector("form button[type=submit]")).click();
			new WebDriverWait(driver, WAIT).until((d) -> !d.getCurrentUrl().contains("/login"));
		}
		for (String page : ADMIN_PAGES) {
			driver.get(url(page + "?lang=en"));
			assertThat(driver.getCurrentUrl()).as(page).contains(page);
			// Let the page's scripts load their data and draw.
			new WebDriverWait(driver, WAIT).until((d) -> "complete".equals(js("return document.readyState;")));
			sleep(Duration.ofMillis(1500));
			assertThat(violations()).as("CSP violations on " + page).isEmpty();
		}
	}

	@Test
	void theApiDescriptionAndItsPageAreForAdministratorsOnly() throws Exception {
		String user = "docs-" + Long.toHexString(System.nanoTime());
		this.users.create(user, "reads the docs 1", Role.USER, true);
		WebSession plain = new WebSession(this.port);
		plain.login(user, "reads the docs 1");
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		WebSession anonymous = new WebSession(this.port);
		for (String path : List.of("/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/swagger-config",
				"/swagger-ui/index.html", "/webjars/swagger-ui/index.html", "/webjars/swagger-ui/swagger-ui.css")) {
			assertThat(plain.get(path).statusCode()).as("user: " + path).isIn(403, 404);
			assertThat(anonymous.get(path).statusCode()).as("anonymous: " + path).isIn(302, 401, 404);
		}
		assertThat(admin.get("/v3/api-docs.yaml").statusCode()).isEqualTo(200);
		assertThat(admin.get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
		assertThat(plain.get("/v3/api-docs.yaml").statusCode()).isEqualTo(403);
		assertThat(plain.get("/swagger-ui/index.html").statusCode()).isEqualTo(403);
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

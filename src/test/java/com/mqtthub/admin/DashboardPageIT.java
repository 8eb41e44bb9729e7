package com.mqtthub.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.console.Chromium;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium: while clients publish, its tiles and chart change
 * every second without a reload; the clients page lists a connected client.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.broker.data-directory=target/test-data/${random.uuid}",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class DashboardPageIT {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static Chromium browser;

	private static WebDriver driver;

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	@BeforeAll
	static void startBrowser() {
		Chromium.assumeAvailable();
		browser = Chromium.start();
		driver = browser.driver();
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	private void open(String path) {
		driver.get("http://127.0.0.1:" + this.port + path + "?lang=en");
		if (driver.getCurrentUrl().contains("/login")) {
			driver.findElement(By.id("username")).sendKeys(HubTest.ADMIN);
			driver.findElement(By.id("password")).sendKeys(HubTest.ADMIN_PASSWORD);
			driver.findElement(By.cssSelector("form button[type=submit]")).click();
			new WebDriverWait(driver, WAIT).until((d) -> !d.getCurrentUrl().contains("/login"));
			driver.get("http://127.0.0.1:" + this.port + path + "?lang=en");
		}
	}

	/** A picture of the page under target/screenshots, to look at after a run. */
	private static void screenshot(String name) throws Exception {
		Path file = Path.of("target", "screenshots", name);
		Files.createDirectories(file.getParent());
		Files.write(file, browser.driver().getScreenshotAs(OutputType.BYTES));
	}

	private static String text(String id) {
		return driver.findElement(By.id(id)).getText();
	}

	@Test
	void showsChangingFiguresWhileALoadRuns() throws Exception {
		open("/admin/dashboard");
		new WebDriverWait(driver, WAIT).until((d) -> "Live".equals(text("liveStatus")));
		String uri = "tcp://127.0.0.1:" + this.broker.getTcpPort();
		AtomicBoolean running = new AtomicBoolean(true);
		try (MqttTestClient subscriber = MqttTestClient.connect(uri, "dash-sub");
				MqttTestClient publisher = MqttTestClient.connect(uri, "dash-pub")) {
			subscriber.subscribe("load/#", 0);
			Thread load = new Thread(() -> {
				int i = 0;
				long end = System.nanoTime() + WAIT.toNanos();
				while (running.get() && System.nanoTime() < end) {
					try {
						publisher.publish("load/" + (i % 5), "message " + i++, 0, false);
						Thread.sleep(5);
					}
					catch (Exception ex) {
						return;
					}
				}
			});
			load.start();
			try {
				new WebDriverWait(driver, WAIT).until((d) -> "2".equals(text("tileClients")));
				assertThat(text("tileSubscriptions")).isEqualTo("1");
				// The rate tiles show several different non-zero values over a few seconds: the
				// page is updated live, without a reload.
				Object pageId = ((JavascriptExecutor) driver).executeScript("return window.dashboardMark = Math.random();");
				Set<String> rates = new HashSet<>();
				long deadline = System.nanoTime() + WAIT.toNanos();
				while (rates.size() < 3 && System.nanoTime() < deadline) {
					String rate = text("tileMsgIn");
					if (!rate.equals("0") && !rate.equals("–")) {
						rates.add(rate);
					}
					Thread.sleep(250);
				}
				assertThat(rates).as("distinct message rates seen").hasSizeGreaterThanOrEqualTo(3);
				assertThat(Long.parseLong(text("tileMsgOut").replace(",", ""))).isPositive();
				assertThat(Long.parseLong(text("tileBytesIn").replace(",", ""))).isPositive();
				assertThat(((JavascriptExecutor) driver).executeScript("return window.dashboardMark;"))
					.as("same page, not reloaded")
					.isEqualTo(pageId);
				assertThat(driver.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
				screenshot("dashboard.png");
			}
			finally {
				running.set(false);
				load.join(5000);
			}

			open("/admin/clients");
			new WebDriverWait(driver, WAIT)
				.until((d) -> d.findElements(By.cssSelector("#clientRows tr.client")).size() == 2);
			assertThat(driver.findElements(By.cssSelector("#clientRows td.client-id")))
				.extracting((cell) -> cell.getText())
				.containsExactlyInAnyOrder("dash-sub", "dash-pub");
			screenshot("clients.png");
		}
	}

}

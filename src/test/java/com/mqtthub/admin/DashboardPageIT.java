package com.mqtthub.admin;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.BrowserTest;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium: while clients publish, its tiles and chart change
 * every second without a reload, the busiest topics are listed; the clients page lists a connected
 * client and disconnects one whose id holds "/", "%" and "..".
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.broker.data-directory=target/test-data/${random.uuid}",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class DashboardPageIT extends BrowserTest {

	@Autowired
	private EmbeddedBroker broker;

	@Test
	void showsChangingFiguresWhileALoadRuns() throws Exception {
		open("/admin/dashboard?lang=en");
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
				Object pageId = js("return window.dashboardMark = Math.random();");
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
				assertThat(js("return window.dashboardMark;"))
					.as("same page, not reloaded")
					.isEqualTo(pageId);
				assertThat(driver.findElements(By.cssSelector("#chart canvas"))).isNotEmpty();
				// The list is redrawn every second: read it in one go.
				String busiest = "return Array.from(document.querySelectorAll('#busiest li')).map(function (li) {"
						+ " return li.textContent; });";
				waitUntil((d) -> !((List<?>) js(busiest)).isEmpty() && ((List<?>) js(busiest)).get(0).toString().startsWith("load/"));
				assertThat((List<?>) js(busiest)).extracting(Object::toString)
					.allMatch((row) -> row.matches("load/[0-4][\\d,]+ /s"), "topic and rate");
				screenshot("dashboard.png", "dashboard.png");
			}
			finally {
				running.set(false);
				load.join(5000);
			}

			open("/admin/clients?lang=en");
			new WebDriverWait(driver, WAIT)
				.until((d) -> d.findElements(By.cssSelector("#clientRows tr.client")).size() == 2);
			assertThat(driver.findElements(By.cssSelector("#clientRows td.client-id")))
				.extracting((cell) -> cell.getText())
				.containsExactlyInAnyOrder("dash-sub", "dash-pub");
			screenshot("clients.png", null);
		}
		// A client id with a slash, a percent sign and dots is disconnected from the page too.
		String odd = "odd/%2F/../id";
		try (MqttTestClient victim = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), odd)) {
			open("/admin/clients?lang=en");
			waitUntil((d) -> d.findElements(By.cssSelector("#clientRows tr.client")).size() == 1);
			js("window.confirm = function () { return true; };");
			driver.findElement(By.cssSelector("#clientRows tr.client button.kick")).click();
			waitForText("note", "Disconnected " + odd + ".");
			long deadline = System.nanoTime() + WAIT.toNanos();
			while (victim.isConnected() && System.nanoTime() < deadline) {
				Thread.sleep(50);
			}
			assertThat(victim.isConnected()).isFalse();
		}
		// Deleting the session of a connected client with a persistent session frees its id.
		String owned = "owned/" + java.util.UUID.randomUUID();
		try (MqttTestClient keeper = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(), owned,
				MqttTestClient.options(false, HubTest.ADMIN, HubTest.ADMIN_PASSWORD))) {
			keeper.subscribe("kept/#", 1);
			open("/admin/clients?lang=en");
			waitUntil((d) -> d.findElements(By.cssSelector("#clientRows tr.client")).size() == 1);
			js("window.confirm = function () { return true; };");
			driver.findElement(By.cssSelector("#clientRows tr.client button.delete-session")).click();
			waitForText("note", "Deleted the session of " + owned + ".");
		}
		try (MqttTestClient again = MqttTestClient.create("tcp://127.0.0.1:" + this.broker.getTcpPort(), owned)) {
			// Nothing of the old session is left.
			assertThat(again.paho()
				.connectWithResult(MqttTestClient.options(false, HubTest.ADMIN, HubTest.ADMIN_PASSWORD))
				.getSessionPresent()).isFalse();
		}
	}

}

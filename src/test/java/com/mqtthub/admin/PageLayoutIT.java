package com.mqtthub.admin;

import java.util.List;
import java.util.Map;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.BrowserTest;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.MqttTestClient;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every page in Chromium at a laptop's and a phone's size: the one header (pages, user, language,
 * log out), nothing wider than the screen, no serious accessibility violation; the console's
 * sections on phones; log out from the console; binary payloads on the admin pages as hex.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.broker.data-directory=target/test-data/${random.uuid}",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class PageLayoutIT extends BrowserTest {

	private static final List<String> PAGES = List.of("/", "/admin/dashboard", "/admin/clients", "/admin/retained",
			"/admin/topics", "/admin/bridges", "/admin/users", "/admin/users/admin", "/admin/rules", "/admin/access",
			"/admin/api");

	private static final List<String> ADMIN_LINKS = List.of("navDashboard", "navClients", "navRetained", "navTopics",
			"navBridges", "navUsers", "navRules", "navAccess", "navApi");

	@Autowired
	private EmbeddedBroker broker;

	@AfterEach
	void backToDesktop() {
		viewport(DESKTOP);
	}

	@Test
	void everyPageHasTheHeaderFitsDesktopAndPhoneAndPassesAxe() throws Exception {
		for (Viewport size : List.of(DESKTOP, PHONE)) {
			viewport(size);
			for (String page : PAGES) {
				open(page + "?lang=en");
				waitUntil((d) -> "complete".equals(js("return document.readyState;")));
				assertThat(text("currentUser")).as("user on %s", page).isEqualTo(HubTest.ADMIN);
				assertThat(byId("logout").isDisplayed()).as("log out on %s", page).isTrue();
				assertThat(byId("langEn").isDisplayed() && byId("langZh").isDisplayed()).as("languages on %s", page)
					.isTrue();
				assertThat(byId("navConsole").isDisplayed()).isTrue();
				for (String link : ADMIN_LINKS) {
					assertThat(byId(link).isDisplayed()).as("%s on %s", link, page).isTrue();
				}
				assertThat(driver.findElements(By.cssSelector("link[rel=icon]"))).as("favicon of %s", page).hasSize(1);
				// Let the live pages fill their tables before measuring.
				Thread.sleep(300);
				assertNoHorizontalOverflow();
				assertAccessible();
				if (size == PHONE && page.equals("/admin/clients")) {
					screenshot("clients-phone.png", null);
				}
			}
		}
	}

	@Test
	void onAPhoneTheConsoleShowsOneSectionAtATimeWithTheMessagesOneTapAway() throws Exception {
		viewport(PHONE);
		open("/?lang=en");
		waitUntil((d) -> (Boolean) js("return document.documentElement.classList.contains('console-ready');"));
		assertThat(byId("connectionPanel").isDisplayed()).isTrue();
		assertThat(byId("messagesPanel").isDisplayed()).isFalse();
		WebElement tab = byId("tabMessages");
		assertThat(tab.isDisplayed()).isTrue();
		assertThat(tab.getRect().getY() + tab.getRect().getHeight()).as("messages tab above the fold")
			.isLessThan(PHONE.height());
		tab.click();
		assertThat(byId("messagesPanel").isDisplayed()).isTrue();
		assertThat(byId("connectionPanel").isDisplayed()).isFalse();
		assertThat(byId("messagesPanel").getRect().getY()).as("messages at the top").isLessThan(PHONE.height() / 2);
		assertThat(attribute("tabMessages", "aria-pressed")).isEqualTo("true");
		assertNoHorizontalOverflow();
		click("tabPublish");
		assertThat(byId("publishPanel").isDisplayed()).isTrue();
		assertThat(byId("messagesPanel").isDisplayed()).isFalse();
		viewport(DESKTOP);
		assertThat(byId("messagesPanel").isDisplayed() && byId("connectionPanel").isDisplayed()).isTrue();
		assertThat(byId("tabMessages").isDisplayed()).isFalse();
	}

	@Test
	void logsOutFromTheConsole() {
		open("/?lang=en");
		click("logout");
		waitUntil((d) -> d.getCurrentUrl().contains("/login?logout"));
		driver.get(url("/"));
		waitUntil((d) -> d.getCurrentUrl().contains("/login"));
	}

	@Test
	void usersWhoAreNoAdministratorsSeeNoAdminLinks() throws Exception {
		WebSession admin = new WebSession(this.port);
		admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		String token = WebSession.formToken(admin.get("/admin/users").body());
		admin.postForm("/admin/users", token, Map.of("username", "plain-user", "password", "plain-password-1",
				"role", "USER"));
		driver.manage().deleteAllCookies();
		open("/?lang=en", "plain-user", "plain-password-1");
		assertThat(text("currentUser")).isEqualTo("plain-user");
		assertThat(byId("navConsole").isDisplayed()).isTrue();
		assertThat(driver.findElements(By.id("navDashboard"))).isEmpty();
		driver.manage().deleteAllCookies();
	}

	@Test
	void binaryPayloadsShowAsHexOnTheRetainedPageAndTheTopicTree() throws Exception {
		try (MqttTestClient device = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"binary-device")) {
			device.publish("bin/deep/chain/value", new byte[] { (byte) 0xde, (byte) 0xad, 0x00, (byte) 0xff }, 1, true);
			device.publish("bin/text", "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, true);
			open("/admin/retained?lang=en");
			waitUntil((d) -> d.findElements(By.cssSelector("#retainedRows tr.retained")).size() >= 2);
			WebElement binary = rowOf("bin/deep/chain/value");
			assertThat(binary.findElement(By.cssSelector("pre.payload")).getText()).isEqualTo("de ad 00 ff");
			assertThat(binary.findElement(By.cssSelector(".badge.binary")).getText()).isEqualTo("binary (hex)");
			assertThat(rowOf("bin/text").findElement(By.cssSelector("pre.payload")).getText()).isEqualTo("héllo");

			open("/admin/topics?lang=en");
			waitUntil((d) -> !d.findElements(By.cssSelector("#tree li.node")).isEmpty());
			// bin has two children; deep/chain/value is one chain, folded into one row.
			click("expandAll");
			// The tree is redrawn every two seconds: read the row in one go once it is shown.
			String row = "var n = document.querySelector(\"li.node[data-topic='bin/deep/chain/value']\");"
					+ " return n && n.offsetParent !== null ? [n.querySelector('.name').textContent,"
					+ " n.querySelector('pre.payload').textContent, n.querySelector('.meta.count').textContent] : null;";
			waitUntil((d) -> js(row) != null);
			assertThat(js(row)).isEqualTo(List.of("deep/chain/value", "de ad 00 ff", "1 message"));
			device.publish("bin/deep/chain/value", new byte[0], 1, true);
			device.publish("bin/text", new byte[0], 1, true);
		}
	}

	private static WebElement rowOf(String topic) {
		return driver.findElements(By.cssSelector("#retainedRows tr.retained"))
			.stream()
			.filter((row) -> row.findElement(By.cssSelector("td.topic")).getText().equals(topic))
			.findFirst()
			.orElseThrow();
	}

}

package com.mqtthub.bridge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.BrowserTest;
import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.Mosquitto;
import com.mqtthub.testing.MqttTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridges page in a real headless Chromium: a bridge added through the form connects to a
 * real Mosquitto and shows its state and figures, the form shows the API's problems per field,
 * an edit keeps the hidden password, a deletion asks first; the TLS and advanced settings are set
 * from the form, with their problems shown next to each field and the trust store password
 * write-only; the configuration's bridge has no edit or delete; the page fits a phone and passes
 * axe with the form open, in both languages.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.broker.data-directory=target/test-data/${random.uuid}",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class BridgePageIT extends BrowserTest {

	private static final Duration MESSAGE_WAIT = Duration.ofSeconds(20);

	private static Mosquitto remote;

	@Autowired
	private EmbeddedBroker broker;

	@Autowired
	private BridgeService bridges;

	@Autowired
	private StoredBridges stored;

	@BeforeAll
	static void startRemote() throws Exception {
		remote = Mosquitto.startForTest(null);
	}

	@AfterAll
	static void stopRemote() throws Exception {
		Mosquitto.closeIfStarted(remote);
	}

	@DynamicPropertySource
	static void configuredBridge(DynamicPropertyRegistry registry) {
		registry.add("mqtthub.bridges[0].name", () -> "from-config");
		registry.add("mqtthub.bridges[0].addresses[0]", () -> remote.uri());
		registry.add("mqtthub.bridges[0].paused", () -> "true");
		registry.add("mqtthub.bridges[0].topics[0].filter", () -> "config/#");
	}

	@AfterEach
	void backToDesktop() {
		viewport(DESKTOP);
	}

	private static By row(String name) {
		return By.cssSelector("tr.bridge[data-name='" + name + "']");
	}

	private static String cell(String name, String cssClass) {
		return driver.findElement(row(name)).findElement(By.cssSelector("td." + cssClass)).getText();
	}

	private static void waitForCell(String name, String cssClass, String expected) {
		new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
			.ignoring(org.openqa.selenium.NoSuchElementException.class)
			.until((d) -> expected.equals(cell(name, cssClass)));
	}

	private static void clickInRow(String name, String buttonClass) {
		new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
			.until((d) -> {
				d.findElement(row(name)).findElement(By.cssSelector("button." + buttonClass)).click();
				return true;
			});
	}

	private static WebElement ruleField(int index, String cssClass) {
		return driver.findElements(By.cssSelector("#ruleRows .rule")).get(index).findElement(By.cssSelector("." + cssClass));
	}

	private static void setRule(int index, String cssClass, String text) {
		WebElement field = ruleField(index, cssClass);
		field.clear();
		field.sendKeys(text);
	}

	@Test
	void addAnEditAndDeleteABridgeThroughTheForm() throws Exception {
		open("/admin/bridges?lang=en");
		waitForCell("from-config", "state", "paused");
		assertThat(driver.findElement(row("from-config")).findElements(By.cssSelector("button.edit, button.delete")))
			.as("the configuration's bridge is read-only")
			.isEmpty();
		assertThat(cell("from-config", "name")).contains("configuration, read-only");

		// Problems come back per field and the form stays open.
		click("addBridge");
		type("bridgeName", "page-edge");
		type("bridgeAddresses", "http://127.0.0.1:1");
		setRule(0, "rule-filter", "page/#/x");
		click("saveBridge");
		new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("formProblems"),
				"addresses[0]"));
		assertThat(text("formProblems")).contains("topics[0].filter");
		assertThat(attribute("bridgeAddresses", "aria-invalid")).isEqualTo("true");

		type("bridgeAddresses", remote.uri());
		setRule(0, "rule-filter", "page/#");
		setRule(0, "rule-remote", "hub/");
		type("bridgeUsername", "page-user");
		type("bridgePassword", "page-secret-1");
		new org.openqa.selenium.support.ui.Select(byId("bridgeFailover")).selectByValue("round-robin");
		// The TLS and advanced sections open too, so that axe and the phone check see every field.
		driver.findElement(By.cssSelector("#tlsSection > summary")).click();
		driver.findElement(By.cssSelector("#advancedSection > summary")).click();
		viewport(PHONE);
		assertNoHorizontalOverflow();
		assertAccessible();
		viewport(DESKTOP);
		click("saveBridge");
		waitForText("note", "Bridge page-edge saved.");
		assertThat(byId("bridgeEditor").isDisplayed()).isFalse();
		waitForCell("page-edge", "state", "connected");
		assertThat(cell("page-edge", "name")).contains("stored in the database");

		try (MqttTestClient subscriber = MqttTestClient.connect(remote.uri(), "page-sub-" + UUID.randomUUID(),
				MqttTestClient.anonymousOptions(true));
				MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
						"page-pub-" + UUID.randomUUID())) {
			subscriber.subscribe("hub/#", 1);
			publisher.publish("page/door", "open", 1, false);
			assertThat(subscriber.awaitMessage(MESSAGE_WAIT).toString()).isEqualTo("hub/page/door:open");
			waitForCell("page-edge", "forwarded", "1");

			// Edit: the form holds the stored definition, never the password.
			clickInRow("page-edge", "edit");
			waitUntil((d) -> byId("bridgeEditor").isDisplayed());
			assertThat(byId("bridgeName").isEnabled()).isFalse();
			assertThat(value("bridgeAddresses")).isEqualTo(remote.uri());
			assertThat(value("bridgeUsername")).isEqualTo("page-user");
			assertThat(value("bridgeFailover")).isEqualTo("round-robin");
			assertThat(value("bridgePassword")).isEmpty();
			assertThat(text("passwordHint")).contains("leave the field empty to keep it");
			click("addRule");
			setRule(1, "rule-filter", "second/#");
			new org.openqa.selenium.support.ui.Select(ruleField(1, "rule-direction")).selectByValue("out");
			setRule(1, "rule-remote", "hub/");
			assertThat(text("note")).as("cleared when the form opens").isEmpty();
			click("saveBridge");
			waitForText("note", "Bridge page-edge saved.");
			// The list as it is after the edit: the new rule, and connected again.
			new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
				.until((d) -> {
					WebElement bridge = d.findElement(row("page-edge"));
					return bridge.getText().contains("second/#")
							&& "connected".equals(bridge.findElement(By.cssSelector("td.state")).getText());
				});
			publisher.publish("second/window", "closed", 1, false);
			assertThat(subscriber.awaitMessage(MESSAGE_WAIT).toString()).isEqualTo("hub/second/window:closed");
		}

		// Delete asks first; cancelling keeps the bridge.
		clickInRow("page-edge", "delete");
		new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
		assertThat(driver.switchTo().alert().getText()).startsWith("Delete bridge page-edge?");
		driver.switchTo().alert().dismiss();
		Thread.sleep(300);
		assertThat(driver.findElements(row("page-edge"))).hasSize(1);
		clickInRow("page-edge", "delete");
		new WebDriverWait(driver, WAIT).until(ExpectedConditions.alertIsPresent());
		driver.switchTo().alert().accept();
		waitUntil((d) -> d.findElements(row("page-edge")).isEmpty());
		assertThat(text("note")).startsWith("Bridge page-edge deleted");
	}

	/** The message shown right under each of these form controls for its problem, empty when none. */
	@SuppressWarnings("unchecked")
	private static Map<String, Object> fieldProblems(String... ids) {
		return (Map<String, Object>) js("var shown = {}; arguments[0].forEach(function (id) {"
				+ " var p = document.querySelector('#' + id + ' ~ .field-problem');"
				+ " shown[id] = p ? p.textContent : ''; }); return shown;", List.of(ids));
	}

	/** The values of these form controls, read at once. */
	@SuppressWarnings("unchecked")
	private static Map<String, Object> values(String... ids) {
		return (Map<String, Object>) js("var shown = {}; arguments[0].forEach(function (id) {"
				+ " shown[id] = document.getElementById(id).value; }); return shown;", List.of(ids));
	}

	/** The answer of GET /api/bridges/{name}, as the page's session sees it. */
	private static String apiView(String name) {
		return String.valueOf(js("var x = new XMLHttpRequest(); x.open('GET', '/api/bridges/' + arguments[0], false);"
				+ " x.setRequestHeader('Accept', 'application/json'); x.send(); return x.responseText;", name));
	}

	@Test
	void tlsAndAdvancedSettingsAreSetOnTheFormAndTheSecretStaysHidden() {
		// A real trust store the hub can read: the JVM's own (a JKS file, password "changeit").
		String truststore = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toString();
		open("/admin/bridges?lang=en");
		click("addBridge");
		assertThat(byId("tlsSection").getDomProperty("open")).as("closed for a new bridge").isEqualTo("false");
		type("bridgeName", "page-tls");
		// A trust store goes with TLS addresses only: first a plain one, refused for that.
		type("bridgeAddresses", remote.uri());
		setRule(0, "rule-filter", "tls-page/#");
		driver.findElement(By.cssSelector("#tlsSection > summary")).click();
		driver.findElement(By.cssSelector("#advancedSection > summary")).click();
		type("bridgeTruststore", "/nonexistent/ca.p12");
		type("bridgeQueueMaxBytes", "lots");
		type("bridgeInFlight", "0");
		click("saveBridge");

		// Each problem next to its own field, as well as in the list under the form.
		waitUntil((d) -> !"".equals(fieldProblems("bridgeQueueMaxBytes").get("bridgeQueueMaxBytes")));
		assertThat(fieldProblems("bridgeQueueMaxBytes", "bridgeTruststore", "bridgeInFlight", "bridgeAddresses"))
			.containsEntry("bridgeQueueMaxBytes", "a size such as 512MB or 1GB")
			.containsEntry("bridgeTruststore", "cannot read /nonexistent/ca.p12")
			.containsEntry("bridgeInFlight", "1 to 1000")
			.containsEntry("bridgeAddresses", "only ssl:// and wss:// addresses when a trust store or key store is set");
		assertThat(attribute("bridgeQueueMaxBytes", "aria-invalid")).isEqualTo("true");
		assertThat(attribute("bridgeQueueMaxBytes", "aria-describedby")).contains("queueHint").contains("fieldProblem");
		assertThat(text("formProblems")).contains("queue.maxBytes: a size such as 512MB or 1GB");
		// axe runs on the open sections in the other test; here only the fit with problems shown.
		viewport(PHONE);
		assertNoHorizontalOverflow();
		viewport(DESKTOP);

		type("bridgeAddresses", remote.uri().replace("tcp://", "ssl://"));
		type("bridgeTruststore", truststore);
		type("bridgeTruststoreType", "JKS");
		type("bridgeTruststorePassword", "changeit");
		type("bridgePeerClientId", "other-hub-bridge");
		type("bridgeConnectTimeout", "5s");
		type("bridgeInFlight", "7");
		type("bridgeQueueMaxBytes", "64MB");
		type("bridgeQueueMaxMessages", "5000");
		type("bridgeInitialDelay", "2s");
		type("bridgeMaxDelay", "30s");
		click("saveBridge");
		waitForText("note", "Bridge page-tls saved.");
		assertThat(byId("bridgeEditor").isDisplayed()).isFalse();

		BridgesProperties.Bridge saved = this.bridges.link("page-tls").orElseThrow().definition();
		assertThat(saved.getTls().getTruststore()).isEqualTo(Path.of(truststore));
		assertThat(saved.getTls().getTruststoreType()).isEqualTo("JKS");
		assertThat(saved.getTls().getTruststorePassword()).isEqualTo("changeit");
		assertThat(saved.getPeerClientId()).isEqualTo("other-hub-bridge");
		assertThat(saved.getConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(saved.getInFlight()).isEqualTo(7);
		assertThat(saved.getQueue().getMaxBytes().toMegabytes()).isEqualTo(64);
		assertThat(saved.getQueue().getMaxMessages()).isEqualTo(5000);
		assertThat(saved.getReconnect().getInitialDelay()).isEqualTo(Duration.ofSeconds(2));
		assertThat(saved.getReconnect().getMaxDelay()).isEqualTo(Duration.ofSeconds(30));
		String shown = apiView("page-tls");
		assertThat(shown).contains("\"truststorePassword\":\"set\"").doesNotContain("changeit");

		// Edit: the settings come back, the password does not; left empty, it is kept.
		clickInRow("page-tls", "edit");
		waitUntil((d) -> byId("bridgeEditor").isDisplayed());
		assertThat(byId("tlsSection").getDomProperty("open")).isEqualTo("true");
		assertThat(values("bridgeTruststore", "bridgeTruststoreType", "bridgeTruststorePassword", "bridgePeerClientId",
				"bridgeConnectTimeout", "bridgeInFlight", "bridgeQueueMaxBytes", "bridgeQueueMaxMessages",
				"bridgeInitialDelay", "bridgeMaxDelay"))
			.containsEntry("bridgeTruststore", truststore)
			.containsEntry("bridgeTruststoreType", "JKS")
			.containsEntry("bridgeTruststorePassword", "")
			.containsEntry("bridgePeerClientId", "other-hub-bridge")
			.containsEntry("bridgeConnectTimeout", "5s")
			.containsEntry("bridgeInFlight", "7")
			.containsEntry("bridgeQueueMaxBytes", "64MB")
			.containsEntry("bridgeQueueMaxMessages", "5000")
			.containsEntry("bridgeInitialDelay", "2s")
			.containsEntry("bridgeMaxDelay", "30s");
		assertThat(text("truststorePasswordHint")).contains("leave the field empty to keep it");
		assertThat(byId("clearTruststorePasswordLabel").isDisplayed()).isTrue();
		type("bridgeInFlight", "8");
		click("saveBridge");
		waitForText("note", "Bridge page-tls saved.");
		BridgesProperties.Bridge edited = this.bridges.link("page-tls").orElseThrow().definition();
		assertThat(edited.getInFlight()).isEqualTo(8);
		assertThat(edited.getTls().getTruststorePassword()).as("kept").isEqualTo("changeit");
		this.stored.delete("page-tls");
	}

	/** The text of the dashboard's tile of this bridge, empty while there is none. */
	private static String tile(String name) {
		return String.valueOf(js("var tile = document.querySelector(\".tile.bridge[data-name='\" + arguments[0] + \"']\");"
				+ " return tile ? tile.innerText : '';", name));
	}

	@Test
	void theDashboardShowsEachBridgeAsATileLive() throws Exception {
		open("/admin/dashboard?lang=en");
		waitUntil((d) -> tile("from-config").contains("paused"));
		long queued = this.bridges.link("from-config").orElseThrow().queue().size();
		Object pageId = js("return window.tileMark = Math.random();");
		try (MqttTestClient publisher = MqttTestClient.connect("tcp://127.0.0.1:" + this.broker.getTcpPort(),
				"tile-pub-" + UUID.randomUUID())) {
			for (int i = 0; i < 3; i++) {
				publisher.publish("config/tile", "t" + i, 1, false);
			}
		}
		// Paused: the messages wait in its queue, and the tile shows it without a reload.
		waitUntil((d) -> tile("from-config").contains("Queue: " + (queued + 3) + " messages"));
		assertThat(tile("from-config")).contains("Oldest: ").contains("Forwarded 0 /s, received 0 /s");
		assertThat(js("return window.tileMark;")).as("same page, not reloaded").isEqualTo(pageId);
		viewport(PHONE);
		assertNoHorizontalOverflow();
		viewport(DESKTOP);
		open("/admin/dashboard?lang=zh-CN");
		waitUntil((d) -> tile("from-config").contains("已暂停"));
		assertThat(tile("from-config")).contains("队列：").contains("条/秒");
		driver.get(url("/admin/dashboard?lang=en"));
	}

	@Test
	void theFormSpeaksChinese() {
		open("/admin/bridges?lang=zh-CN");
		waitUntil((d) -> !d.findElements(row("from-config")).isEmpty());
		assertThat(text("addBridge")).isEqualTo("添加桥接");
		click("addBridge");
		assertThat(text("editorTitle")).isEqualTo("新建桥接");
		assertThat(text("addRule")).isEqualTo("添加规则");
		assertThat(driver.findElement(By.cssSelector("#tlsSection > summary")).getText())
			.isEqualTo("TLS：信任库和客户端证书");
		assertThat(driver.findElement(By.cssSelector("#advancedSection > summary")).getText())
			.isEqualTo("高级：中心互联、超时、队列、退避");
		assertThat(new org.openqa.selenium.support.ui.Select(byId("bridgeFailover")).getFirstSelectedOption().getText())
			.isEqualTo("按顺序：总是从第一个地址开始");
		driver.get(url("/admin/bridges?lang=en"));
	}

}

package com.mqtthub.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.mqtthub.broker.EmbeddedBroker;
import com.mqtthub.testing.HubTest;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the console in a real headless Chromium against the running application: the page
 * talks MQTT over the same-origin WebSocket endpoint, while Paho Java clients on the broker's
 * TCP port play the devices on the other side.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.console.max-messages=" + ConsolePageIT.MAX_MESSAGES,
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class ConsolePageIT {

	static final int MAX_MESSAGES = 200;

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Path DATA = Path.of("target", "test-data", UUID.randomUUID().toString());

	/**
	 * Where the screenshot goes: {@code target/} on every run, {@code docs/} (the README's picture)
	 * when run with {@code -Ddocs.screenshots=true}, so that a test run leaves the work tree clean.
	 */
	private static final Path SCREENSHOT = Boolean.getBoolean("docs.screenshots") ? Path.of("docs", "console.png")
			: Path.of("target", "screenshots", "console.png");

	private static Chromium browser;

	private static WebDriver driver;

	@LocalServerPort
	private int port;

	@Autowired
	private EmbeddedBroker broker;

	private final List<MqttClient> clients = new ArrayList<>();

	@DynamicPropertySource
	static void brokerData(DynamicPropertyRegistry registry) {
		registry.add("mqtthub.broker.data-directory", () -> DATA.toAbsolutePath().toString());
	}

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

	@BeforeEach
	void leaveAnyPreviousPage() {
		// Closes the previous test's page and with it its MQTT connection.
		driver.get("about:blank");
	}

	@AfterEach
	void closeClients() throws MqttException {
		for (MqttClient client : this.clients) {
			if (client.isConnected()) {
				client.disconnectForcibly(0, 1000);
			}
			client.close(true);
		}
	}

	@Test
	void connectsToTheSameOriginEndpointAndShowsReceivedMessagesNewestFirst() throws Exception {
		open("en");
		assertThat(value("host")).isEqualTo("127.0.0.1");
		assertThat(value("port")).isEqualTo(String.valueOf(this.port));
		assertThat(value("path")).isEqualTo("/mqtt");
		assertThat(value("clientId")).matches("hub-console-[a-z0-9]{6}");
		assertThat(text("subCount")).isEqualTo("Received 0 messages");

		connect();
		assertThat(text("connectionStatus")).isEqualTo("Connected to ws://127.0.0.1:" + this.port + "/mqtt");
		subscribe("t/fifty/#", 1);

		MqttClient device = device();
		for (int i = 0; i < 50; i++) {
			device.publish("t/fifty/" + (i % 3), payload("message " + i), 1, false);
		}

		waitForText("subCount", "Received 50 messages");
		waitUntil(d -> messageItems().size() == 50);
		List<WebElement> items = messageItems();
		assertThat(items).hasSize(50);
		assertThat(items.get(0).findElement(By.cssSelector(".payload")).getText()).isEqualTo("message 49");
		assertThat(items.get(0).findElement(By.cssSelector(".topic")).getText()).isEqualTo("t/fifty/1");
		assertThat(items.get(0).findElement(By.cssSelector(".qos")).getText()).isEqualTo("QoS 1");
		assertThat(items.get(0).findElement(By.cssSelector(".time")).getText()).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}");
		assertThat(items.get(49).findElement(By.cssSelector(".payload")).getText()).isEqualTo("message 0");
	}

	@Test
	void publishesFromTheFormToOtherClients() throws Exception {
		BlockingQueue<Map.Entry<String, MqttMessage>> received = new LinkedBlockingQueue<>();
		MqttClient watcher = device();
		watcher.subscribe("t/form/#", 1, (topic, message) -> received.add(Map.entry(topic, message)));

		open("en");
		connect();
		String payload = "{\"hello\": \"from the console\", \"text\": \"你好 ✓\"}";
		type("topicSend", "t/form/out");
		type("textSend", payload);
		assertThat(new Select(byId("qosSend")).getFirstSelectedOption().getText()).isEqualTo("0");
		click("send");

		Map.Entry<String, MqttMessage> message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(message).as("message published from the page").isNotNull();
		assertThat(message.getKey()).isEqualTo("t/form/out");
		assertThat(new String(message.getValue().getPayload(), StandardCharsets.UTF_8)).isEqualTo(payload);
		assertThat(message.getValue().getQos()).isZero();
		assertThat(message.getValue().isRetained()).isFalse();
		waitForText("publishNote", "Sent to t/form/out");
		assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("exactly one message").isNull();
	}

	@Test
	void showsPayloadsAsTextNeverAsMarkup() throws Exception {
		open("en");
		js("window.alerts = []; window.alert = function (text) { window.alerts.push(String(text)); };");
		connect();
		subscribe("t/xss/#", 0);

		String attack = "<img src=x onerror=alert(1)>";
		MqttClient device = device();
		device.publish("t/xss/<b>topic</b>", payload(attack), 0, false);
		device.publish("t/xss/json", payload("{\"b\":[1,2],\"a\":\"<script>alert(2)</script>\"}"), 0, false);

		waitUntil(d -> messageItems().size() == 2);
		WebElement json = messageItems().get(0);
		WebElement markup = messageItems().get(1);
		assertThat(markup.findElement(By.cssSelector(".payload")).getText()).isEqualTo(attack);
		assertThat(markup.findElement(By.cssSelector(".topic")).getText()).isEqualTo("t/xss/<b>topic</b>");
		assertThat(json.findElement(By.cssSelector(".payload")).getText())
			.isEqualTo("{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": \"<script>alert(2)</script>\"\n}");
		assertThat(driver.findElements(By.cssSelector("#subMessage img, #subMessage script, #subMessage b"))).isEmpty();
		assertThat((List<?>) js("return window.alerts;")).isEmpty();
		assertThat(ExpectedConditions.alertIsPresent().apply(driver)).isNull();
	}

	@Test
	void foldsLongPayloadsBehindShowMore() throws Exception {
		open("en");
		connect();
		subscribe("t/long", 0);
		String longText = "0123456789".repeat(200);
		device().publish("t/long", payload(longText), 0, false);

		waitUntil(d -> messageItems().size() == 1);
		WebElement item = messageItems().get(0);
		WebElement more = item.findElement(By.cssSelector("button.more"));
		assertThat(more.getText()).isEqualTo("Show more");
		assertThat(item.findElement(By.cssSelector(".payload")).getDomAttribute("class")).contains("folded");
		more.click();
		assertThat(more.getText()).isEqualTo("Show less");
		assertThat(item.findElement(By.cssSelector(".payload")).getDomAttribute("class")).doesNotContain("folded");
		assertThat((String) js("return document.querySelector('#subMessage .payload').textContent;")).isEqualTo(longText);
	}

	@Test
	void rejectsInvalidTopicsAndFiltersBeforeSendingAnything() throws Exception {
		BlockingQueue<String> received = new LinkedBlockingQueue<>();
		MqttClient watcher = device();
		watcher.subscribe("t/invalid/#", 0, (topic, message) -> received.add(topic));

		open("en");
		connect();

		type("topicSend", "t/invalid/+/x");
		type("textSend", "must not be sent");
		click("send");
		waitForText("publishError", "A topic to publish to must not contain the wildcards + or #.");
		type("topicSend", "t/invalid/#");
		click("send");
		waitForText("publishError", "A topic to publish to must not contain the wildcards + or #.");
		type("topicSend", "");
		click("send");
		waitForText("publishError", "The topic must not be empty.");

		type("topicSubscribe", "a/#/b");
		click("subscribe");
		waitForText("subscribeError", "The wildcard # must stand alone in the last level (for example a/b/#).");
		type("topicSubscribe", "a/b+");
		click("subscribe");
		waitForText("subscribeError", "The wildcard + must stand alone in its level (for example a/+/c).");
		assertThat(driver.findElements(By.cssSelector("#subscriptions li"))).isEmpty();

		// A valid message after the invalid ones: the first thing the watcher sees must be it.
		type("topicSend", "t/invalid/marker");
		type("textSend", "marker");
		click("send");
		assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("t/invalid/marker");
		assertThat(byId("publishError").isDisplayed()).isFalse();
		assertThat(attribute("connectionStatus", "data-state")).isEqualTo("connected");
	}

	@Test
	void validatesTopicsByTheMqttRules() {
		open("en");
		Map<String, String> filters = Map.ofEntries(Map.entry("#", "ok"), Map.entry("+", "ok"),
				Map.entry("sport/#", "ok"), Map.entry("+/tennis/#", "ok"), Map.entry("sport/+/player1", "ok"),
				Map.entry("/", "ok"), Map.entry("a//b", "ok"), Map.entry("sport/tennis#", "error.filter.hash"),
				Map.entry("sport/#/ranking", "error.filter.hash"), Map.entry("sport+", "error.filter.plus"),
				Map.entry("a/+b/c", "error.filter.plus"), Map.entry("", "error.topic.empty"),
				Map.entry("a\u0000b", "error.topic.nul"), Map.entry("x".repeat(65536), "error.topic.tooLong"),
				Map.entry("é".repeat(32768), "error.topic.tooLong"), Map.entry("é".repeat(32767), "ok"));
		filters.forEach((filter, expected) -> assertThat(
				js("return HubConsole.topics.validateFilter(arguments[0]) || 'ok';", filter))
			.as("filter %.40s", filter)
			.isEqualTo(expected));
		Map<String, String> names = Map.of("a/b", "ok", "a/+", "error.topic.wildcard", "#", "error.topic.wildcard",
				"", "error.topic.empty", "/", "ok");
		names.forEach((name, expected) -> assertThat(js("return HubConsole.topics.validateTopic(arguments[0]) || 'ok';", name))
			.as("topic %s", name)
			.isEqualTo(expected));
		assertThat(js("var m = HubConsole.topics.matches; return [m('sport/#', 'sport'), m('+/+', '/finance'), "
				+ "m('#', '$SYS/x'), m('a/+', 'a/b/c'), m('a/+/c', 'a/b/c')];"))
			.isEqualTo(List.of(true, true, false, false, true));
	}

	@Test
	void staysResponsiveUnderAFloodAndKeepsCountingExactly() throws Exception {
		open("en");
		connect();
		subscribe("t/flood/#", 0);
		int flood = 5_000;
		MqttClient device = device();
		CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
			try {
				for (int i = 0; i < flood; i++) {
					device.publish("t/flood/" + (i % 10), payload("{\"n\":" + i + "}"), 0, false);
				}
			}
			catch (MqttException ex) {
				throw new IllegalStateException(ex);
			}
		});
		// The page answers a script round trip while the flood is coming in.
		long started = System.nanoTime();
		assertThat(js("return document.querySelectorAll('#subMessage > li').length;")).isNotNull();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		publishing.get(60, TimeUnit.SECONDS);

		new WebDriverWait(driver, Duration.ofSeconds(60))
			.until(ExpectedConditions.textToBe(By.id("subCount"), "Received 5000 messages"));
		assertThat(messageItems()).hasSize(MAX_MESSAGES);
		assertThat(messageItems().get(0).findElement(By.cssSelector(".payload")).getText())
			.isEqualTo("{\n  \"n\": 4999\n}");
		assertThat(text("limitNote")).isEqualTo("The list keeps the newest 200 messages.");

		// Pause: the counter goes on, entries are held back until Resume.
		click("pause");
		waitForText("pause", "Resume");
		click("clear");
		waitUntil(d -> messageItems().isEmpty());
		assertThat(text("subCount")).isEqualTo("Received 5000 messages");
		for (int i = 0; i < 3; i++) {
			device.publish("t/flood/late", payload("late " + i), 0, false);
		}
		waitForText("subCount", "Received 5003 messages");
		assertThat(messageItems()).isEmpty();
		assertThat(text("pausedNote")).startsWith("Paused: 3 new messages counted but held back.");
		click("pause");
		waitForText("pause", "Pause");
		waitUntil(d -> messageItems().size() == 3);
		assertThat(messageItems().get(0).findElement(By.cssSelector(".payload")).getText()).isEqualTo("late 2");
		assertThat(byId("pausedNote").isDisplayed()).isFalse();

		// The filter box hides entries that match neither topic nor payload.
		type("filterMessages", "late 1");
		waitUntil(d -> visibleMessageItems().size() == 1);
		type("filterMessages", "");
		waitUntil(d -> visibleMessageItems().size() == 3);
	}

	@Test
	void unsubscribingStopsDelivery() throws Exception {
		open("en");
		connect();
		subscribe("t/unsub/a", 0);
		subscribe("t/unsub/b", 0);
		MqttClient device = device();
		device.publish("t/unsub/a", payload("first"), 1, false);
		waitForText("subCount", "Received 1 message");

		driver.findElement(By.cssSelector("#subscriptions li[data-filter='t/unsub/a'] button.unsubscribe")).click();
		waitUntil(d -> d.findElements(By.cssSelector("#subscriptions li[data-filter='t/unsub/a']")).isEmpty());
		device.publish("t/unsub/a", payload("after unsubscribe"), 1, false);
		device.publish("t/unsub/b", payload("marker"), 1, false);

		waitUntil(d -> messageItems().size() == 2);
		assertThat(messageItems().get(0).findElement(By.cssSelector(".payload")).getText()).isEqualTo("marker");
		assertThat(messageItems().get(1).findElement(By.cssSelector(".payload")).getText()).isEqualTo("first");
		assertThat(text("subCount")).isEqualTo("Received 2 messages");
	}

	@Test
	void reconnectsAndSubscribesAgainAfterTheConnectionIsLost() throws Exception {
		open("en");
		connect();
		subscribe("t/again/#", 1);

		// A second client with the same id takes the session over: the broker drops the page.
		MqttClient usurper = new MqttClient(tcpUri(), value("clientId"), new MemoryPersistence());
		this.clients.add(usurper);
		usurper.connect(options());
		waitUntil(d -> text("connectionStatus").startsWith("Reconnected to ws://127.0.0.1:" + this.port));
		assertThat(driver.findElements(By.cssSelector("#subscriptions li"))).hasSize(1);

		// The page subscribes again right after CONNACK; a retained message proves the broker has it.
		device().publish("t/again/x", payload("back again"), 1, true);
		waitUntil(d -> !messageItems().isEmpty()
				&& "back again".equals(messageItems().get(0).findElement(By.cssSelector(".payload")).getText()));
		device().publish("t/again/x", new byte[0], 1, true);
	}

	@Test
	void reportsAFailedConnection() {
		open("en");
		type("path", "/no-mqtt-here");
		click("connect");
		waitUntil(d -> "failed".equals(attribute("connectionStatus", "data-state")));
		assertThat(text("connectionStatus")).startsWith("Could not connect: ");
		assertThat(byId("connect").isEnabled()).isTrue();
		assertThat(byId("disconnect").isEnabled()).isFalse();
	}

	@Test
	void disconnects() {
		open("en");
		connect();
		subscribe("t/bye", 0);
		click("disconnect");
		waitUntil(d -> "disconnected".equals(attribute("connectionStatus", "data-state")));
		assertThat(text("connectionStatus")).isEqualTo("Disconnected");
		assertThat(driver.findElements(By.cssSelector("#subscriptions li"))).isEmpty();
		type("topicSend", "t/bye");
		click("send");
		waitForText("publishError", "Not connected: connect first.");
	}

	@Test
	void speaksChineseAndEnglish() throws Exception {
		open("zh-CN");
		assertThat(text("subCount")).isEqualTo("收到0条");
		assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("zh-CN");
		assertThat(text("connect")).isEqualTo("连接");
		connect();
		assertThat(text("connectionStatus")).startsWith("已连接到 ");
		subscribe("t/zh", 0);
		device().publish("t/zh", payload("你好"), 0, false);
		waitForText("subCount", "收到1条");
		assertThat(text("pause")).isEqualTo("暂停");

		click("langEn");
		waitForText("subCount", "Received 0 messages");
		assertThat(driver.findElement(By.tagName("html")).getDomAttribute("lang")).isEqualTo("en");
		click("langZh");
		waitForText("subCount", "收到0条");
	}

	@Test
	void screenshotWithSubscriptionsAndMessages() throws Exception {
		MqttClient device = device();
		// Retained before the subscription, so that it arrives flagged as retained.
		device.publish("office/lights", payload("on"), 1, true);
		open("en");
		connect();
		subscribe("home/+/temperature", 1);
		subscribe("office/#", 0);
		subscribe("alerts/#", 2);
		device.publish("alerts/door", payload("Front door opened at 08:14"), 2, false);
		// QoS 2 reaches the page only after its own round trip: let it land before the others.
		waitUntil(d -> messageItems().size() == 2);
		device.publish("home/kitchen/temperature", payload("{\"celsius\":21.5,\"humidity\":40,\"battery\":\"ok\"}"), 1,
				false);
		device.publish("office/printer/status", payload("Paper low in tray 2. " + "Lorem ipsum dolor sit amet. ".repeat(20)),
				0, false);
		device.publish("home/garden/temperature", payload("{\"celsius\":12.25,\"sensor\":\"garden-1\"}"), 1, false);
		type("topicSend", "office/lights");
		type("textSend", "off");

		waitUntil(d -> messageItems().size() == 5);
		// Each message shows the colour of the subscription it came through.
		String officeColour = driver.findElement(By.cssSelector("#subscriptions li[data-filter='office/#']"))
			.getCssValue("border-left-color");
		String homeColour = driver.findElement(By.cssSelector("#subscriptions li[data-filter='home/+/temperature']"))
			.getCssValue("border-left-color");
		assertThat(officeColour).isNotEqualTo(homeColour);
		assertThat(messageItems().get(0).getCssValue("border-left-color")).isEqualTo(homeColour);
		assertThat(messageItems().get(1).getCssValue("border-left-color")).isEqualTo(officeColour);
		WebElement retained = messageItems().get(4);
		assertThat(retained.findElement(By.cssSelector(".badge.retained")).getText()).isEqualTo("retained");

		// The whole page from the top, without the focus ring of the last field typed in.
		js("document.activeElement.blur(); window.scrollTo(0, 0);");
		Dimension size = driver.manage().window().getSize();
		driver.manage().window().setSize(new Dimension(1400, 1350));
		try {
			waitUntil(d -> ((Number) js("return window.innerHeight;")).intValue() > 1000);
			byte[] png = browser.driver().getScreenshotAs(OutputType.BYTES);
			Files.createDirectories(SCREENSHOT.getParent());
			Files.write(SCREENSHOT, png);
		}
		finally {
			driver.manage().window().setSize(size);
		}
		device.publish("office/lights", new byte[0], 1, true);
	}

	private void open(String language) {
		driver.get("http://127.0.0.1:" + this.port + "/?lang=" + language);
		if (driver.getCurrentUrl().contains("/login")) {
			logIn();
			driver.get("http://127.0.0.1:" + this.port + "/?lang=" + language);
		}
		waitUntil(d -> (Boolean) js("return document.documentElement.classList.contains('console-ready');"));
	}

	/** Logs in through the login page, as a user does; the browser keeps the session for the class. */
	private void logIn() {
		type("username", HubTest.ADMIN);
		type("password", HubTest.ADMIN_PASSWORD);
		driver.findElement(By.cssSelector("form button[type=submit]")).click();
		waitUntil(d -> !d.getCurrentUrl().contains("/login"));
	}

	/** Connects with the logged-in user's name, which the page fills in, and its password. */
	private void connect() {
		assertThat(value("username")).isEqualTo(HubTest.ADMIN);
		type("password", HubTest.ADMIN_PASSWORD);
		click("connect");
		waitUntil(d -> "connected".equals(attribute("connectionStatus", "data-state")));
	}

	private void subscribe(String filter, int qos) {
		type("topicSubscribe", filter);
		new Select(byId("qosSubscribe")).selectByValue(String.valueOf(qos));
		click("subscribe");
		waitUntil(d -> !d.findElements(By.cssSelector("#subscriptions li[data-filter='" + filter + "']")).isEmpty());
	}

	private MqttClient device() throws MqttException {
		MqttClient client = new MqttClient(tcpUri(), "device-" + UUID.randomUUID(), new MemoryPersistence());
		this.clients.add(client);
		client.connect(options());
		return client;
	}

	private MqttConnectOptions options() {
		MqttConnectOptions options = new MqttConnectOptions();
		options.setUserName(HubTest.ADMIN);
		options.setPassword(HubTest.ADMIN_PASSWORD.toCharArray());
		options.setCleanSession(true);
		options.setAutomaticReconnect(false);
		options.setMaxInflight(1000);
		return options;
	}

	private String tcpUri() {
		return "tcp://127.0.0.1:" + this.broker.getTcpPort();
	}

	private static byte[] payload(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static List<WebElement> messageItems() {
		return driver.findElements(By.cssSelector("#subMessage > li"));
	}

	private static List<WebElement> visibleMessageItems() {
		return driver.findElements(By.cssSelector("#subMessage > li:not([hidden])"));
	}

	private static WebElement byId(String id) {
		return driver.findElement(By.id(id));
	}

	private static String text(String id) {
		return byId(id).getText();
	}

	private static String value(String id) {
		return byId(id).getDomProperty("value");
	}

	private static String attribute(String id, String name) {
		return byId(id).getDomAttribute(name);
	}

	private static void click(String id) {
		byId(id).click();
	}

	private static void type(String id, String text) {
		WebElement field = byId(id);
		field.clear();
		if (!text.isEmpty()) {
			field.sendKeys(text);
		}
		else {
			// clear() fires no input event; the page listens to those.
			js("arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field);
		}
	}

	private static Object js(String script, Object... args) {
		return ((JavascriptExecutor) driver).executeScript(script, args);
	}

	private static void waitForText(String id, String expected) {
		new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBe(By.id(id), expected));
	}

	private static void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
		new WebDriverWait(driver, WAIT).until(condition::apply);
	}

}

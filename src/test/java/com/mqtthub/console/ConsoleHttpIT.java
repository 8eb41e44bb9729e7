package com.mqtthub.console;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console page as plain HTTP sees it: language choice, settings handed to the page, and
 * every script and style coming from this server.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mqtthub.broker.host=127.0.0.1", "mqtthub.broker.port=0",
				"mqtthub.broker.websocket.port=0", "mqtthub.console.max-messages=42",
				"mqtthub.security.admin.password=" + HubTest.ADMIN_PASSWORD })
class ConsoleHttpIT {

	private static final Path DATA = Path.of("target", "test-data", UUID.randomUUID().toString());

	/** Keeps the login session (and the language cookie) like a browser. */
	private final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void brokerData(DynamicPropertyRegistry registry) {
		registry.add("mqtthub.broker.data-directory", () -> DATA.toAbsolutePath().toString());
	}

	@BeforeEach
	void logIn() throws Exception {
		String form = get("/login", null).body();
		String body = "username=" + HubTest.ADMIN + "&password=" + HubTest.ADMIN_PASSWORD + "&_csrf="
				+ URLEncoder.encode(WebSession.formToken(form), StandardCharsets.UTF_8);
		HttpResponse<String> login = this.http.send(HttpRequest.newBuilder(uri("/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(login.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).doesNotContain("error"));
	}

	@Test
	void prefillsTheMqttUserNameWithTheLoggedInUser() throws Exception {
		assertThat(get("/", "en").body()).containsPattern(
				"<input id=\"username\"[^>]*value=\"" + HubTest.ADMIN + "\"");
	}

	@Test
	void choosesChineseFromAcceptLanguage() throws Exception {
		for (String header : List.of("zh-CN,zh;q=0.9,en;q=0.8", "zh-TW", "zh")) {
			String page = get("/", header).body();
			assertThat(page).as(header).contains(">收到0条<").contains("<html lang=\"zh-CN\">");
		}
	}

	@Test
	void choosesEnglishFromAcceptLanguageAndByDefault() throws Exception {
		assertThat(get("/", "en-US,en;q=0.9").body()).contains(">Received 0 messages<");
		assertThat(get("/", "fr-FR,fr;q=0.9").body()).contains(">Received 0 messages<");
		assertThat(get("/", null).body()).contains(">Received 0 messages<").contains("<html lang=\"en\">");
	}

	@Test
	void languageLinkWinsOverAcceptLanguageAndIsRemembered() throws Exception {
		HttpResponse<String> chinese = get("/?lang=zh-CN", "en");
		assertThat(chinese.body()).contains(">收到0条<");
		String cookie = chinese.headers().firstValue("Set-Cookie").orElseThrow();
		assertThat(cookie).startsWith("mqtthub-lang=zh-CN");

		HttpRequest again = HttpRequest.newBuilder(uri("/"))
			.header("Accept-Language", "en")
			.header("Cookie", cookie.substring(0, cookie.indexOf(';')))
			.build();
		assertThat(this.http.send(again, HttpResponse.BodyHandlers.ofString()).body()).contains(">收到0条<");
		assertThat(get("/?lang=en", "zh-CN").body()).contains(">Received 0 messages<");
	}

	@Test
	void handsSettingsToThePage() throws Exception {
		String page = get("/", "en").body();
		assertThat(page).contains("data-max-messages=\"42\"")
			.contains("data-web-socket-path=\"/mqtt\"")
			.contains("&quot;messages.count&quot;:&quot;Received {0} messages&quot;")
			.contains("The list keeps the newest 42 messages.");
		// Ready for a Content-Security-Policy without 'unsafe-inline': no inline script, handler or style.
		assertThat(page).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
			.doesNotContainPattern("\\son[a-z]+\\s*=")
			.doesNotContainPattern("\\sstyle\\s*=")
			.doesNotContain("<style");
	}

	@Test
	void loadsEverythingFromThisServer() throws Exception {
		String page = get("/", "en").body();
		assertThat(page).doesNotContainPattern("(?i)(src|href)\\s*=\\s*\"(https?:)?//");
		Matcher resources = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"").matcher(page);
		int count = 0;
		while (resources.find()) {
			String path = resources.group(1);
			HttpResponse<String> response = get(path, null);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			if (!path.startsWith("/webjars/")) {
				// Our own scripts and styles name no other server at all.
				// (The SVG namespace is a name, never fetched.)
				assertThat(response.body().replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).as(path)
					.doesNotContainPattern("(?i)(https?:|wss?:)?//[a-z0-9.-]+\\.[a-z]{2,}");
			}
			count++;
		}
		assertThat(count).as("icon, stylesheet, jQuery, Paho and the console scripts").isGreaterThanOrEqualTo(15);
	}

	private HttpResponse<String> get(String path, String acceptLanguage) throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
		if (acceptLanguage != null) {
			request.header("Accept-Language", acceptLanguage);
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}

package com.mqtthub.testing;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A browser-like HTTP client for tests: keeps cookies, does not follow redirects, logs in through
 * the login form and sends the CSRF token back as a browser page would.
 */
public final class WebSession {

	private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

	private static final Pattern CSRF_JSON = Pattern.compile("\"csrfToken\"\\s*:\\s*\"([^\"]+)\"");

	private final String base;

	private final HttpClient http;

	private final CookieManager cookies = new CookieManager();

	public WebSession(int port) {
		this.base = "http://127.0.0.1:" + port;
		this.http = HttpClient.newBuilder()
			.cookieHandler(this.cookies)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
	}

	/** Logs in through the form; answers the redirect that follows (to the page, or back to the login). */
	public HttpResponse<String> login(String username, String password) throws IOException, InterruptedException {
		HttpResponse<String> page = get("/login");
		return postForm("/login", formToken(page.body()), Map.of("username", username, "password", password));
	}

	public HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	/** This session's cookies as a {@code Cookie} header, for a request made outside this client (a stream). */
	public String cookieHeader() {
		return this.cookies.getCookieStore()
			.getCookies()
			.stream()
			.map((cookie) -> cookie.getName() + "=" + cookie.getValue())
			.collect(Collectors.joining("; "));
	}

	/** The CSRF token of this session, as the API hands it to scripts. */
	public String csrfToken() throws IOException, InterruptedException {
		HttpResponse<String> session = get("/api/session");
		Matcher matcher = CSRF_JSON.matcher(session.body());
		if (!matcher.find()) {
			throw new IllegalStateException("No CSRF token in " + session.statusCode() + " " + session.body());
		}
		return matcher.group(1);
	}

	/** The CSRF token of a form on an HTML page. */
	public static String formToken(String html) {
		Matcher matcher = CSRF_FIELD.matcher(html);
		if (!matcher.find()) {
			throw new IllegalStateException("No CSRF field in the page");
		}
		return matcher.group(1);
	}

	/** Posts a form, with the CSRF token when one is given. */
	public HttpResponse<String> postForm(String path, String csrfToken, Map<String, String> fields)
			throws IOException, InterruptedException {
		String body = fields.entrySet()
			.stream()
			.map((e) -> encode(e.getKey()) + "=" + encode(e.getValue()))
			.collect(Collectors.joining("&"));
		if (csrfToken != null) {
			body = body + (body.isEmpty() ? "" : "&") + "_csrf=" + encode(csrfToken);
		}
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	/** Sends JSON with the session's CSRF token in its header (or none when {@code csrfToken} is null). */
	public HttpResponse<String> json(String method, String path, String json, String csrfToken)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json)
					: HttpRequest.BodyPublishers.noBody());
		if (csrfToken != null) {
			request.header("X-CSRF-TOKEN", csrfToken);
		}
		return send(request);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create(this.base + path);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}

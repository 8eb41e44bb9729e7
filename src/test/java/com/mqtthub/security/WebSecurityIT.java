package com.mqtthub.security;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web login, CSRF, roles and the admin API, with a real HTTP client that keeps cookies.
 */
@HubTest
@ExtendWith(OutputCaptureExtension.class)
class WebSecurityIT {

	@LocalServerPort
	private int port;

	@Autowired
	private UserService users;

	private WebSession admin;

	@BeforeEach
	void logInAsAdmin() throws Exception {
		this.admin = new WebSession(this.port);
		HttpResponse<String> login = this.admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD);
		assertThat(login.statusCode()).isEqualTo(302);
		assertThat(login.headers().firstValue("Location").orElseThrow()).doesNotContain("error");
	}

	private static String name(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	@Test
	void pagesRedirectToTheLoginWhenNotLoggedIn() throws Exception {
		WebSession anonymous = new WebSession(this.port);
		for (String page : new String[] { "/", "/admin/users" }) {
			HttpResponse<String> response = anonymous.get(page);
			assertThat(response.statusCode()).as(page).isEqualTo(302);
			assertThat(response.headers().firstValue("Location").orElseThrow()).endsWith("/login");
		}
		assertThat(anonymous.get("/login").statusCode()).isEqualTo(200);
		assertThat(anonymous.get("/css/hub.css").statusCode()).isEqualTo(200);
	}

	@Test
	void apiAnswers401WhenNotLoggedIn() throws Exception {
		WebSession anonymous = new WebSession(this.port);
		assertThat(anonymous.json("GET", "/api/users", null, null).statusCode()).isEqualTo(401);
		assertThat(anonymous.json("GET", "/api/session", null, null).statusCode()).isEqualTo(401);
	}

	@Test
	void wrongPasswordGoesBackToTheLoginWithAnError() throws Exception {
		HttpResponse<String> response = new WebSession(this.port).login(HubTest.ADMIN, "not-the-password");
		assertThat(response.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
	}

	@Test
	void loginFormWithoutCsrfTokenIsRejected() throws Exception {
		WebSession session = new WebSession(this.port);
		HttpResponse<String> response = session.postForm("/login", null,
				Map.of("username", HubTest.ADMIN, "password", HubTest.ADMIN_PASSWORD));
		assertThat(response.statusCode()).isEqualTo(403);
	}

	@Test
	void changesWithoutCsrfTokenAreRejected() throws Exception {
		String user = name("nocsrf");
		HttpResponse<String> api = this.admin.json("POST", "/api/users",
				"{\"username\":\"" + user + "\",\"password\":\"password-1\",\"role\":\"USER\"}", null);
		assertThat(api.statusCode()).isEqualTo(403);
		HttpResponse<String> form = this.admin.postForm("/admin/users", null,
				Map.of("username", user, "password", "password-1", "role", "USER"));
		assertThat(form.statusCode()).isEqualTo(403);
		assertThat(this.users.find(user)).isEmpty();
	}

	@Test
	void adminPagesAndApiAreRefusedToUsers() throws Exception {
		String user = name("plain");
		this.users.create(user, "user-password", Role.USER, true);
		WebSession session = new WebSession(this.port);
		session.login(user, "user-password");
		assertThat(session.get("/admin/users").statusCode()).isEqualTo(403);
		assertThat(session.json("GET", "/api/users", null, null).statusCode()).isEqualTo(403);
		assertThat(session.json("GET", "/api/acl/rules", null, null).statusCode()).isEqualTo(403);
		HttpResponse<String> me = session.json("GET", "/api/session", null, null);
		assertThat(me.statusCode()).isEqualTo(200);
		assertThat(me.body()).contains("\"username\":\"" + user + "\"").contains("USER");
	}

	@Test
	void disabledUserCannotLogIn() throws Exception {
		String user = name("off");
		this.users.create(user, "user-password", Role.USER, false);
		HttpResponse<String> response = new WebSession(this.port).login(user, "user-password");
		assertThat(response.headers().firstValue("Location").orElseThrow()).endsWith("/login?error");
	}

	@Test
	void adminManagesUsersThroughTheApiAndNoPasswordComesBack(CapturedOutput output) throws Exception {
		String csrf = this.admin.csrfToken();
		String user = name("api");
		HttpResponse<String> created = this.admin.json("POST", "/api/users",
				"{\"username\":\"" + user + "\",\"password\":\"api-secret-1\",\"role\":\"USER\"}", csrf);
		assertThat(created.statusCode()).isEqualTo(201);
		assertThat(created.body()).contains(user).doesNotContainIgnoringCase("password").doesNotContain("api-secret");

		assertThat(this.admin.json("PUT", "/api/users/" + user + "/password", "{\"password\":\"api-secret-2\"}", csrf)
			.statusCode()).isEqualTo(204);
		HttpResponse<String> updated = this.admin.json("PUT", "/api/users/" + user,
				"{\"role\":\"ADMIN\",\"enabled\":false}", csrf);
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(updated.body()).contains("\"role\":\"ADMIN\"").contains("\"enabled\":false");

		HttpResponse<String> list = this.admin.json("GET", "/api/users", null, null);
		HttpResponse<String> one = this.admin.json("GET", "/api/users/" + user, null, null);
		for (HttpResponse<String> response : java.util.List.of(list, one)) {
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).doesNotContainIgnoringCase("password")
				.doesNotContain("api-secret")
				.doesNotContain("{bcrypt}");
		}
		assertThat(this.admin.json("DELETE", "/api/users/" + user, null, csrf).statusCode()).isEqualTo(204);
		assertThat(this.admin.json("GET", "/api/users/" + user, null, null).statusCode()).isEqualTo(404);
		assertThat(output).doesNotContain("api-secret").doesNotContain(HubTest.ADMIN_PASSWORD);
	}

	@Test
	void invalidRequestsGet400WithEveryFieldError() throws Exception {
		String csrf = this.admin.csrfToken();
		HttpResponse<String> response = this.admin.json("POST", "/api/users",
				"{\"username\":\"bad name/#\",\"password\":\"short\",\"role\":\"KING\"}", csrf);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("\"field\":\"username\"")
			.contains("\"field\":\"password\"")
			.contains("must have 10 to 72 characters")
			.contains("must be ADMIN or USER")
			.doesNotContain("short");

		HttpResponse<String> rule = this.admin.json("POST", "/api/acl/rules",
				"{\"role\":\"USER\",\"topic\":\"a/#/b\",\"access\":\"read\",\"permission\":\"allow\"}", csrf);
		assertThat(rule.statusCode()).isEqualTo(400);
		assertThat(rule.body()).contains("must be subscribe, publish or both");

		HttpResponse<String> filter = this.admin.json("POST", "/api/acl/rules",
				"{\"role\":\"USER\",\"topic\":\"a/#/b\",\"access\":\"both\",\"permission\":\"allow\"}", csrf);
		assertThat(filter.statusCode()).isEqualTo(400);
		assertThat(filter.body()).contains("not a valid MQTT topic filter");

		HttpResponse<String> garbage = this.admin.json("POST", "/api/users", "not json", csrf);
		assertThat(garbage.statusCode()).isEqualTo(400);
	}

	@Test
	void weakPasswordsAreRefusedByTheApiAndTheForms() throws Exception {
		String csrf = this.admin.csrfToken();
		String user = name("weak");
		for (String weak : new String[] { "12345678", "password", "1234567890", "Password123", "qwertyuiop",
				"my-" + user + "-pw", user.toUpperCase(java.util.Locale.ROOT) + "!!" }) {
			HttpResponse<String> response = this.admin.json("POST", "/api/users",
					"{\"username\":\"" + user + "\",\"password\":\"" + weak + "\",\"role\":\"USER\"}", csrf);
			assertThat(response.statusCode()).as(weak).isEqualTo(400);
			assertThat(response.body()).contains("\"field\":\"password\"");
			if (!"password".equals(weak)) {
				assertThat(response.body()).doesNotContain(weak);
			}
		}
		assertThat(this.users.find(user)).isEmpty();

		this.users.create(user, "a fine long passphrase", Role.USER, true);
		assertThat(this.admin.json("PUT", "/api/users/" + user + "/password", "{\"password\":\"password123\"}", csrf)
			.statusCode()).isEqualTo(400);
		HttpResponse<String> page = this.admin.get("/admin/users/" + user);
		HttpResponse<String> form = this.admin.postForm("/admin/users/" + user + "/password",
				WebSession.formToken(page.body()), Map.of("password", "qwerty123456"));
		assertThat(form.statusCode()).isEqualTo(302);
		assertThat(this.admin.get("/admin/users/" + user).body()).contains("list of common passwords");
		HttpResponse<String> usersPage = this.admin.get("/admin/users");
		HttpResponse<String> created = this.admin.postForm("/admin/users", WebSession.formToken(usersPage.body()),
				Map.of("username", name("weakform"), "password", "1234567890", "role", "USER"));
		assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/admin/users");
		assertThat(this.admin.get("/admin/users").body()).contains("list of common passwords");
	}

	@Test
	void rulesAndTheAccessCheckThroughTheApi() throws Exception {
		String csrf = this.admin.csrfToken();
		String user = name("checked");
		this.users.create(user, "user-password", Role.USER, true);
		HttpResponse<String> rule = this.admin.json("POST", "/api/acl/rules", "{\"username\":\"" + user
				+ "\",\"topic\":\"home/%u/#\",\"access\":\"publish\",\"permission\":\"allow\"}", csrf);
		assertThat(rule.statusCode()).isEqualTo(201);
		assertThat(rule.body()).contains("\"topic\":\"home/%u/#\"").contains("\"access\":\"publish\"");

		HttpResponse<String> allowed = this.admin.json("POST", "/api/acl/check", "{\"username\":\"" + user
				+ "\",\"topic\":\"home/" + user + "/lamp\",\"action\":\"publish\"}", csrf);
		assertThat(allowed.body()).contains("\"allowed\":true").contains("home/%u/#");
		HttpResponse<String> denied = this.admin.json("POST", "/api/acl/check", "{\"username\":\"" + user
				+ "\",\"topic\":\"home/" + user + "/lamp\",\"action\":\"subscribe\"}", csrf);
		assertThat(denied.body()).contains("\"allowed\":false").contains("no rule matched");

		HttpResponse<String> page = this.admin
			.get("/admin/access?username=" + user + "&topic=home/" + user + "/lamp&action=publish");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Allowed").contains("home/%u/#");
	}

	@Test
	void adminPagesWorkWithTheirFormsAndShowTheLoggedInUser() throws Exception {
		HttpResponse<String> page = this.admin.get("/admin/users");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains(HubTest.ADMIN).contains("New user");
		String user = name("form");
		HttpResponse<String> created = this.admin.postForm("/admin/users", WebSession.formToken(page.body()),
				Map.of("username", user, "password", "form-password", "role", "USER"));
		assertThat(created.statusCode()).isEqualTo(302);
		assertThat(this.users.find(user)).hasValueSatisfying((u) -> assertThat(u.role()).isEqualTo(Role.USER));

		HttpResponse<String> detail = this.admin.get("/admin/users/" + user);
		assertThat(detail.statusCode()).isEqualTo(200);
		assertThat(detail.body()).contains(user).doesNotContain("form-password");
	}

	@Test
	void logoutEndsTheSession() throws Exception {
		HttpResponse<String> page = this.admin.get("/admin/users");
		HttpResponse<String> logout = this.admin.postForm("/logout", WebSession.formToken(page.body()), Map.of());
		assertThat(logout.headers().firstValue("Location").orElseThrow()).endsWith("/login?logout");
		assertThat(this.admin.get("/admin/users").statusCode()).isEqualTo(302);
	}

	@Test
	void sessionCookieIsHttpOnly() throws Exception {
		WebSession session = new WebSession(this.port);
		HttpResponse<String> login = session.get("/login");
		assertThat(login.headers().allValues("Set-Cookie")).anySatisfy(
				(cookie) -> assertThat(cookie).startsWith("JSESSIONID=").containsIgnoringCase("HttpOnly")
					.containsIgnoringCase("SameSite=Lax"));
	}

}

package com.mqtthub.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.mqtthub.testing.HubTest;
import com.mqtthub.testing.WebSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API description the hub serves is a committed file; springdoc (test class path only)
 * generates it here from the controllers and their OpenAPI annotations, and this test fails when
 * the two differ. {@code -Dapi-docs.write=true} rewrites the files under
 * {@code src/main/resources/api-docs/} instead.
 */
@HubTest
// Keys in order: springdoc lists a schema's properties in the order reflection finds them, which
// changes from run to run.
@TestPropertySource(properties = { "springdoc.api-docs.enabled=true", "springdoc.api-docs.path=/springdoc/api-docs",
		"springdoc.writer-with-order-by-keys=true" })
class ApiDescriptionIT {

	private static final Path SOURCES = Path.of("src/main/resources");

	private static final String HOW_TO_UPDATE = "the committed API description differs from what the controllers say;"
			+ " rewrite it with ./mvnw verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false"
			+ " -Dit.test=ApiDescriptionIT -Dapi-docs.write=true, and commit src/main/resources/api-docs/";

	private static final ObjectMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	@LocalServerPort
	private int port;

	private WebSession admin;

	@BeforeEach
	void logIn() throws Exception {
		this.admin = new WebSession(this.port);
		assertThat(this.admin.login(HubTest.ADMIN, HubTest.ADMIN_PASSWORD).statusCode()).isEqualTo(302);
	}

	@Test
	void theServedJsonIsWhatTheControllersSay() throws Exception {
		String generated = withoutServers(fetch("/springdoc/api-docs"));
		compare(ApiDescriptionController.JSON, generated, fetch("/v3/api-docs"));
	}

	@Test
	void theServedYamlIsWhatTheControllersSay() throws Exception {
		String generated = withoutServersYaml(fetch("/springdoc/api-docs.yaml"));
		compare(ApiDescriptionController.YAML, generated, fetch("/v3/api-docs.yaml"));
	}

	@Test
	void thePageShowsTheHubsDescriptionWithoutTheOnlineValidator() throws Exception {
		String initializer = fetch("/swagger-ui/swagger-initializer.js");
		assertThat(initializer).contains("url: '/v3/api-docs'")
			.contains("validatorUrl: 'none'")
			.contains("X-CSRF-TOKEN")
			.doesNotContain("petstore");
		assertThat(this.admin.get("/swagger-ui.html").headers().firstValue("Location"))
			.hasValueSatisfying((location) -> assertThat(location).endsWith("/swagger-ui/index.html"));
	}

	private void compare(String file, String generated, String served) throws IOException {
		if (Boolean.getBoolean("api-docs.write")) {
			Files.writeString(SOURCES.resolve(file), generated, StandardCharsets.UTF_8);
			return;
		}
		assertThat(served).as(HOW_TO_UPDATE).isEqualTo(generated);
	}

	private String fetch(String path) throws Exception {
		var response = this.admin.get(path);
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	/** springdoc names the address of the request as the server; the file names none (the page's own). */
	private static String withoutServers(String description) {
		ObjectNode tree = (ObjectNode) json.readTree(description);
		tree.remove("servers");
		return json.writeValueAsString(tree) + "\n";
	}

	private static String withoutServersYaml(String description) {
		StringBuilder kept = new StringBuilder();
		boolean inServers = false;
		for (String line : description.split("\n", -1)) {
			if (!line.startsWith(" ") && !line.startsWith("-")) {
				inServers = line.startsWith("servers:");
			}
			if (!inServers) {
				kept.append(line).append('\n');
			}
		}
		return kept.toString().stripTrailing() + "\n";
	}

}

package com.mqtthub.admin;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The OpenAPI description of the JSON API and the configuration of its Swagger UI page, served
 * from files committed under {@code api-docs/} (administrators only, see the security
 * configuration). Generating them at run time took springdoc and some 600 classes at every
 * start; {@code ApiDescriptionIT} generates them from the controllers and fails when the
 * committed files differ.
 */
@Controller
class ApiDescriptionController {

	static final String JSON = "api-docs/openapi.json";

	static final String YAML = "api-docs/openapi.yaml";

	static final String SWAGGER_CONFIG = "api-docs/swagger-config.json";

	private static final MediaType OPENAPI_YAML = MediaType.parseMediaType("application/vnd.oai.openapi");

	@GetMapping("/v3/api-docs")
	ResponseEntity<Resource> json() {
		return file(JSON, MediaType.APPLICATION_JSON);
	}

	@GetMapping("/v3/api-docs.yaml")
	ResponseEntity<Resource> yaml() {
		return file(YAML, OPENAPI_YAML);
	}

	@GetMapping("/v3/api-docs/swagger-config")
	ResponseEntity<Resource> swaggerConfig() {
		return file(SWAGGER_CONFIG, MediaType.APPLICATION_JSON);
	}

	/** The address springdoc offered for the page; the page itself is Swagger UI's own. */
	@GetMapping("/swagger-ui.html")
	String swaggerUi() {
		return "redirect:/swagger-ui/index.html";
	}

	private static ResponseEntity<Resource> file(String path, MediaType type) {
		return ResponseEntity.ok().contentType(type).body(new ClassPathResource(path));
	}

}

package com.mqtthub.admin;

import java.util.Objects;

import org.webjars.WebJarVersionLocator;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Swagger UI's page under {@code /swagger-ui/}: the files of its webjar, except its initializer,
 * which is the hub's own ({@code swagger-ui/swagger-initializer.js}: this hub's description
 * instead of the example, no online validator, the CSRF token in changing calls).
 */
@Configuration(proxyBeanMethods = false)
class SwaggerUiResources implements WebMvcConfigurer {

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		String version = Objects.requireNonNull(new WebJarVersionLocator().version("swagger-ui"),
				"The swagger-ui webjar is missing from the class path");
		registry.addResourceHandler("/swagger-ui/**")
			.addResourceLocations("classpath:/swagger-ui/",
					"classpath:/META-INF/resources/webjars/swagger-ui/" + version + "/");
	}

}

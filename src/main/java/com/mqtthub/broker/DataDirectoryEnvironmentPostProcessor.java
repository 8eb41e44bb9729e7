package com.mqtthub.broker;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Offers the data directory as an absolute path, {@value #PROPERTY}, for settings that refuse
 * relative ones, such as the default H2 database URL (H2 rejects {@code data/hub} but takes
 * {@code /srv/hub/data/hub}).
 */
class DataDirectoryEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String PROPERTY = "mqtthub.broker.data-directory-absolute";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String directory = environment.getProperty("mqtthub.broker.data-directory", "./data");
		String absolute = Path.of(directory).toAbsolutePath().normalize().toString();
		environment.getPropertySources()
			.addLast(new MapPropertySource("mqtthubDataDirectory", Map.of(PROPERTY, absolute)));
	}

}

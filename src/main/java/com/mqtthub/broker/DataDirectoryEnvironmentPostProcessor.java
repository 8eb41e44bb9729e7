package com.mqtthub.broker;

import java.nio.file.Path;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Offers the data directory as an absolute path, {@value #PROPERTY}, for settings that refuse
 * relative ones, such as the default H2 database URL (H2 rejects {@code data/hub} but takes
 * {@code /srv/hub/data/hub}). The first ask creates the directory, private to this user.
 */
class DataDirectoryEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String PROPERTY = "mqtthub.broker.data-directory-absolute";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		// Worked out when asked for, so that property sources added later (test properties,
		// for one) count too.
		environment.getPropertySources().addLast(new PropertySource<>("mqtthubDataDirectory") {
			@Override
			public Object getProperty(String name) {
				if (!PROPERTY.equals(name)) {
					return null;
				}
				String directory = environment.getProperty("mqtthub.broker.data-directory", "./data");
				Path absolute = Path.of(directory).toAbsolutePath().normalize();
				// Before the user database or the broker's store creates it with default permissions.
				DataDirectory.createPrivate(absolute);
				return absolute.toString();
			}
		});
	}

}

package io.moquette.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.AcceptAllAuthenticator;
import io.moquette.broker.security.PermitAllAuthorizatorPolicy;
import io.moquette.interception.InterceptHandler;

/**
 * The engine as the hub assembles it, with persistence off and everyone let in, for tests of
 * {@link MoquetteCore} and of the hub's handlers in front of it.
 */
public final class InMemoryCores {

	private InMemoryCores() {
	}

	public static MoquetteCore start(Path data, List<InterceptHandler> handlers) throws IOException {
		Properties settings = new Properties();
		settings.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, data.toString());
		settings.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
		settings.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
		return MoquetteCore.start(new MemoryConfig(settings), handlers, new AcceptAllAuthenticator(),
				new PermitAllAuthorizatorPolicy(), (clientId, filter, topic) -> true, 100, () -> {
				});
	}

}

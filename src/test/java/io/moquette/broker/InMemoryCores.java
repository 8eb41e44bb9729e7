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
 * The engine as the hub assembles it, with everyone let in, for tests of {@link MoquetteCore} and
 * of the hub's handlers in front of it: in memory, or with its store under the given directory.
 */
public final class InMemoryCores {

	private static final Runnable NOTHING = () -> {
	};

	private InMemoryCores() {
	}

	public static MoquetteCore start(Path data, List<InterceptHandler> handlers) throws IOException {
		return start(data, handlers, false);
	}

	/** The engine with its store (persistence on) under {@code data}. */
	public static MoquetteCore startStored(Path data) throws IOException {
		return start(data, List.of(), true);
	}

	/** The engine with its store under {@code data} when {@code stored}, in memory otherwise. */
	public static MoquetteCore start(Path data, List<InterceptHandler> handlers, boolean stored)
			throws IOException {
		Properties settings = new Properties();
		settings.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, data.toString());
		settings.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, Boolean.toString(stored));
		settings.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
		return MoquetteCore.start(new MemoryConfig(settings), handlers, new AcceptAllAuthenticator(),
				new PermitAllAuthorizatorPolicy(), (clientId, filter, topic) -> true,
				new MoquetteCore.QueueLimits(100, Long.MAX_VALUE, NOTHING, NOTHING, Long.MAX_VALUE, NOTHING));
	}

}

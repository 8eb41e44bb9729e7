package com.mqtthub.broker;

import java.util.Properties;

import io.moquette.BrokerConstants;
import io.moquette.broker.MoquetteCore;
import io.moquette.broker.config.IConfig;

/**
 * Translates {@link BrokerProperties} into Moquette's own configuration keys, with the settings
 * this product always wants regardless of configuration.
 */
final class MoquetteSettings {

	/** Bytes of MQTT fixed header on top of the largest remaining length we accept. */
	private static final int FIXED_HEADER_BYTES = 5;

	/** Commands each of the engine's session loops can hold. */
	static final int SESSION_QUEUE_SIZE = 32_768;

	private MoquetteSettings() {
	}

	/**
	 * Settings of Moquette's engine. Listener settings are absent: the hub binds its own
	 * listeners (see {@link MqttListeners}).
	 */
	static Properties from(BrokerProperties properties) {
		return from(properties, false);
	}

	/**
	 * @param allowAnonymous whether a CONNECT without a user name is accepted
	 */
	static Properties from(BrokerProperties properties, boolean allowAnonymous) {
		Properties settings = new Properties();
		settings.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(maxMessageBytes(properties)));
		settings.setProperty(IConfig.DATA_PATH_PROPERTY_NAME, properties.getDataDirectory().toString());
		settings.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, Boolean.toString(properties.isPersistence()));
		settings.setProperty(MoquetteCore.COMMIT_LINGER_MICROS,
				Long.toString(properties.getCommitLinger().toNanos() / 1_000));
		// Room for many clients' commands at once; each client keeps only a few hundred queued
		// (see ProtocolGuard), since a full queue drops work.
		settings.setProperty(IConfig.SESSION_QUEUE_SIZE, Integer.toString(SESSION_QUEUE_SIZE));
		// MQTT 3.1.1 lets a server assign an id to a clean-session client that sends none
		// (mosquitto_pub and mosquitto_sub do so by default); Moquette refuses them unless told.
		settings.setProperty(BrokerConstants.ALLOW_ZERO_BYTE_CLIENT_ID_PROPERTY_NAME, "true");
		settings.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, Boolean.toString(allowAnonymous));
		// Moquette's own server reports usage to a remote host unless switched off; the engine
		// used here never starts that code, and the setting says so should that change.
		settings.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
		settings.setProperty(BrokerConstants.METRICS_ENABLE_PROPERTY_NAME, "false");
		settings.setProperty(BrokerConstants.BUGSNAG_ENABLE_PROPERTY_NAME, "false");
		return settings;
	}

	static int maxMessageBytes(BrokerProperties properties) {
		return (int) Math.min(Integer.MAX_VALUE - FIXED_HEADER_BYTES, properties.getMaxMessageSize().toBytes());
	}

	static int maxFrameBytes(BrokerProperties properties) {
		if (properties.getWebsocket().getMaxFrameSize() != null) {
			return (int) Math.min(Integer.MAX_VALUE, properties.getWebsocket().getMaxFrameSize().toBytes());
		}
		return maxMessageBytes(properties) + FIXED_HEADER_BYTES;
	}

}

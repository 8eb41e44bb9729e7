package com.mqtthub.broker;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an unusable TLS keystore into one clear sentence at start-up.
 */
class TlsConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<TlsConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TlsConfigurationException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Check mqtthub.broker.tls.keystore, mqtthub.broker.tls.keystore-password and "
						+ "mqtthub.broker.tls.key-password (environment variables MQTTHUB_BROKER_TLS_KEYSTORE, "
						+ "MQTTHUB_BROKER_TLS_KEYSTOREPASSWORD, MQTTHUB_BROKER_TLS_KEYPASSWORD), "
						+ "or unset the keystore to run without the TLS listeners.",
				cause);
	}

}

package com.mqtthub.broker;

import java.util.Locale;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a taken broker port into one clear sentence at start-up instead of a stack trace.
 */
class ListenerPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<ListenerPortInUseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ListenerPortInUseException cause) {
		String environmentVariable = cause.getProperty().toUpperCase(Locale.ROOT).replace('.', '_').replace("-", "");
		return new FailureAnalysis(cause.getMessage() + ".",
				"Stop the process that uses port " + cause.getPort() + ", or set " + cause.getProperty()
						+ " (environment variable " + environmentVariable + ") to another port.",
				cause);
	}

}

package com.mqtthub.console;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the browser MQTT console, under {@code mqtthub.console}.
 */
@ConfigurationProperties("mqtthub.console")
@Validated
public class ConsoleProperties {

	/**
	 * Most received messages the page keeps on screen; older ones are dropped from the list
	 * (the received counter still counts them).
	 */
	@Min(1)
	private int maxMessages = 500;

	public int getMaxMessages() {
		return this.maxMessages;
	}

	public void setMaxMessages(int maxMessages) {
		this.maxMessages = maxMessages;
	}

}

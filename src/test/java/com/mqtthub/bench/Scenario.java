package com.mqtthub.bench;

import java.util.Locale;

/** What the load tool does to the broker. */
enum Scenario {

	/** P publishers, each with its own topic and its own subscriber. */
	PAIRS(true),

	/** One publisher, S subscribers to its topic: every message delivered S times. */
	FAN_OUT(true),

	/** P publishers on their own topics, one subscriber to all of them through a wildcard. */
	FAN_IN(true),

	/** N clients connect and stay idle: connects per second and the broker's memory per connection. */
	IDLE(false),

	/** N clients connect, disconnect, and all reconnect at once, as devices do after a restart. */
	RECONNECT(false);

	private final boolean messages;

	Scenario(boolean messages) {
		this.messages = messages;
	}

	/** Whether the scenario sends messages (otherwise it only connects). */
	boolean messages() {
		return this.messages;
	}

	String label() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	static Scenario parse(String text) {
		for (Scenario scenario : values()) {
			if (scenario.label().equals(text.toLowerCase(Locale.ROOT))) {
				return scenario;
			}
		}
		throw new IllegalArgumentException("Unknown scenario '" + text + "': one of pairs, fan-out, fan-in, idle, reconnect");
	}

}

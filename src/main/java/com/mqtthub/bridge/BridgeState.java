package com.mqtthub.bridge;

/** Where a bridge's connection to its remote stands. */
public enum BridgeState {

	/** Not started, or the hub is stopping. */
	STOPPED,
	/** Trying to connect. */
	CONNECTING,
	/** Connected: messages flow. */
	CONNECTED,
	/** Waiting before the next attempt, after an error. */
	BACKING_OFF,
	/** Paused by an administrator or the configuration: messages are queued, not forwarded. */
	PAUSED

}

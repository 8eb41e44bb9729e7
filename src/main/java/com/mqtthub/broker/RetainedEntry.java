package com.mqtthub.broker;

/** A retained message as the broker holds it. */
public record RetainedEntry(String topic, int qos, byte[] payload) {
}

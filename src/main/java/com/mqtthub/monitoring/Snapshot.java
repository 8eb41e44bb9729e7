package com.mqtthub.monitoring;

/**
 * The broker's figures at one second: counts, totals and per-second rates over the last second.
 */
public record Snapshot(long time, int clients, int subscriptions, long retained, long connectionsTotal,
		long connectionsRefused, long messagesInTotal, long messagesOutTotal, long bytesInTotal, long bytesOutTotal,
		long deniedTotal, long messagesInRate, long messagesOutRate, long bytesInRate, long bytesOutRate,
		long[] messagesInRateByQos, long[] messagesOutRateByQos) {
}

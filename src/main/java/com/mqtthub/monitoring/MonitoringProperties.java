package com.mqtthub.monitoring;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the broker's monitoring: the rate history the dashboard shows, the topic tree's
 * memory bounds and the optional {@code $SYS} topics.
 */
@ConfigurationProperties("mqtthub.monitoring")
public class MonitoringProperties {

	/** How many one-second rate samples the dashboard chart keeps. */
	private int historySeconds = 300;

	private final TopicTree topicTree = new TopicTree();

	private final Sys sys = new Sys();

	public int getHistorySeconds() {
		return this.historySeconds;
	}

	public void setHistorySeconds(int historySeconds) {
		this.historySeconds = historySeconds;
	}

	public TopicTree getTopicTree() {
		return this.topicTree;
	}

	public Sys getSys() {
		return this.sys;
	}

	public static class TopicTree {

		/** Most topics kept; the least recently used is evicted beyond it. */
		private int maxTopics = 10_000;

		/** Most bytes of the last payload kept per topic. */
		private int maxPayloadBytes = 1024;

		public int getMaxTopics() {
			return this.maxTopics;
		}

		public void setMaxTopics(int maxTopics) {
			this.maxTopics = maxTopics;
		}

		public int getMaxPayloadBytes() {
			return this.maxPayloadBytes;
		}

		public void setMaxPayloadBytes(int maxPayloadBytes) {
			this.maxPayloadBytes = maxPayloadBytes;
		}

	}

	public static class Sys {

		/** Publish the broker's figures under {@code $SYS/broker/...}. */
		private boolean enabled = false;

		/** How often the {@code $SYS} topics are published. */
		private Duration interval = Duration.ofSeconds(10);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

	}

}

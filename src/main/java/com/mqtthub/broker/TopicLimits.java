package com.mqtthub.broker;

import com.mqtthub.acl.TopicFilters;

/**
 * Bounds on what a client names and asks for: levels and bytes of every topic name and filter,
 * filters in one SUBSCRIBE, subscriptions of one session.
 *
 * @param maxLevels {@code mqtthub.broker.max-topic-levels}
 * @param maxBytes {@code mqtthub.broker.max-topic-length}, in UTF-8 bytes
 * @param maxFiltersPerSubscribe {@code mqtthub.broker.max-filters-per-subscribe}
 * @param maxSubscriptionsPerClient {@code mqtthub.broker.max-subscriptions-per-client}
 */
record TopicLimits(int maxLevels, int maxBytes, int maxFiltersPerSubscribe, int maxSubscriptionsPerClient) {

	/** The limit a topic name or filter breaks, or null when it breaks none. */
	Limit violation(String topic) {
		if (utf8Length(topic) > this.maxBytes) {
			return Limit.TOPIC_LENGTH;
		}
		if (TopicFilters.levels(topic) > this.maxLevels) {
			return Limit.TOPIC_LEVELS;
		}
		return null;
	}

	/** The setting behind a limit, for log lines. */
	static String setting(Limit limit) {
		return "mqtthub.broker.max-" + limit.tag();
	}

	/** Bytes of {@code text} in UTF-8, counted without encoding it. */
	static int utf8Length(String text) {
		int bytes = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < 0x80) {
				bytes++;
			}
			else if (c < 0x800) {
				bytes += 2;
			}
			else if (Character.isHighSurrogate(c) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1))) {
				bytes += 4;
				i++;
			}
			else {
				bytes += 3;
			}
		}
		return bytes;
	}

}

package com.mqtthub.acl;

/**
 * MQTT topic filter matching for topic rules.
 * <p>
 * For a SUBSCRIBE, an allow rule applies when it <em>overlaps</em> the asked filter (one topic
 * matched by both is enough), a deny rule only when it <em>covers</em> it (every topic the asked
 * filter can match is matched by the rule). So a deny rule for {@code secret/#} does not stop a
 * subscription to {@code #}, whose messages on {@code secret/...} are then withheld one by one.
 * For a PUBLISH or a delivered message, the topic has no wildcards and both come down to the
 * usual match.
 */
public final class TopicFilters {

	private TopicFilters() {
	}

	/** Whether every topic matched by {@code asked} is matched by {@code rule}. */
	static boolean covers(String rule, String asked) {
		String[] r = rule.split("/", -1);
		String[] a = asked.split("/", -1);
		for (int i = 0; i < r.length; i++) {
			if ("#".equals(r[i])) {
				// "x/#" also matches "x" itself.
				return true;
			}
			if (i >= a.length) {
				return false;
			}
			if ("#".equals(a[i])) {
				return false;
			}
			if ("+".equals(r[i])) {
				continue;
			}
			if ("+".equals(a[i]) || !r[i].equals(a[i])) {
				return false;
			}
		}
		return r.length == a.length;
	}

	/** Whether at least one topic is matched by both filters. */
	static boolean overlaps(String rule, String asked) {
		String[] r = rule.split("/", -1);
		String[] a = asked.split("/", -1);
		int i = 0;
		for (; i < r.length && i < a.length; i++) {
			if ("#".equals(r[i]) || "#".equals(a[i])) {
				return true;
			}
			if ("+".equals(r[i]) || "+".equals(a[i])) {
				continue;
			}
			if (!r[i].equals(a[i])) {
				return false;
			}
		}
		if (r.length == a.length) {
			return true;
		}
		// One is longer: it still overlaps when its next level is "#", which also matches its parent.
		String[] longer = (r.length > a.length) ? r : a;
		return longer.length == i + 1 && "#".equals(longer[i]);
	}

	/**
	 * Whether a topic name (no wildcards) is matched by {@code filter}. A filter that starts
	 * with a wildcard does not match topics that start with {@code $} (MQTT-4.7.2-1).
	 */
	public static boolean matches(String filter, String topic) {
		if (topic.startsWith("$") && (filter.startsWith("#") || filter.startsWith("+"))) {
			return false;
		}
		return covers(filter, topic);
	}

	/** Levels of a topic name or filter: one more than its separators ({@code "a//b"} has three). */
	public static int levels(String topic) {
		int levels = 1;
		for (int i = 0; i < topic.length(); i++) {
			if (topic.charAt(i) == '/') {
				levels++;
			}
		}
		return levels;
	}

	/** Whether {@code filter} is a valid MQTT topic filter (wildcards only as whole levels, # last). */
	public static boolean isValidFilter(String filter) {
		if (filter == null || filter.isEmpty() || filter.indexOf('\u0000') >= 0) {
			return false;
		}
		String[] levels = filter.split("/", -1);
		for (int i = 0; i < levels.length; i++) {
			String level = levels[i];
			if (level.contains("#") && (!"#".equals(level) || i != levels.length - 1)) {
				return false;
			}
			if (level.contains("+") && !"+".equals(level)) {
				return false;
			}
		}
		return true;
	}

}

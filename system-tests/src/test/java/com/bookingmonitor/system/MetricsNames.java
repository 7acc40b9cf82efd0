package com.bookingmonitor.system;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metric names in PromQL expressions and in Prometheus text exposition, so tests can
 * check that every metric a dashboard or alert queries is one the services expose.
 */
final class MetricsNames {

	private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

	/** Grafana variables: {@code $__rate_interval}, {@code ${event}}. */
	private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");

	/** Label matchers; strings are removed first, so no brace is left inside. */
	private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");

	/** Ranges and subqueries: {@code [5m]}, {@code [1h:1m]}. */
	private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");

	/** Label lists of aggregation and vector matching clauses: {@code by (job)}. */
	private static final Pattern LABEL_LIST = Pattern
		.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	/** An identifier not preceded by a digit, dot or another name character. */
	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
			"bool", "offset", "and", "or", "unless", "atan2", "inf", "nan", "start", "end");

	private static final Pattern SAMPLE_NAME = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{\\s]");

	private MetricsNames() {
	}

	/**
	 * Returns the metric names an expression selects, such as
	 * {@code http_server_requests_seconds_bucket}. Function and aggregation names,
	 * keywords, label names, strings, numbers, durations and Grafana variables are
	 * skipped. A name given only as a {@code __name__} matcher is not found.
	 */
	static Set<String> usedIn(String expr) {
		String rest = STRING.matcher(expr).replaceAll(" ");
		rest = VARIABLE.matcher(rest).replaceAll(" ");
		rest = LABEL_MATCHERS.matcher(rest).replaceAll(" ");
		rest = RANGE.matcher(rest).replaceAll(" ");
		rest = LABEL_LIST.matcher(rest).replaceAll(" ");

		Set<String> names = new LinkedHashSet<>();
		Matcher identifier = IDENTIFIER.matcher(rest);
		while (identifier.find()) {
			String name = identifier.group();
			boolean isCall = rest.substring(identifier.end()).stripLeading().startsWith("(");
			if (!isCall && !KEYWORDS.contains(name.toLowerCase())) {
				names.add(name);
			}
		}
		return names;
	}

	/**
	 * Returns the names of the samples in a Prometheus text exposition, such as
	 * {@code booking_requests_total}, skipping comment lines.
	 */
	static Set<String> exposedIn(String exposition) {
		Set<String> names = new LinkedHashSet<>();
		for (String line : exposition.split("\n")) {
			Matcher name = SAMPLE_NAME.matcher(line);
			if (name.find()) {
				names.add(name.group(1));
			}
		}
		return names;
	}

}

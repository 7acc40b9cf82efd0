package com.bookingmonitor.system;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.bookingmonitor.system.ComposeProject.list;
import static com.bookingmonitor.system.ComposeProject.map;
import static com.bookingmonitor.system.ComposeProject.yaml;

/**
 * One alerting rule of prometheus/alerts.yml.
 *
 * @param name the {@code alert} name
 * @param expr the PromQL expression
 * @param labels labels the rule adds, such as {@code severity}
 * @param annotations annotations, such as {@code summary} and {@code runbook}
 */
record AlertRule(String name, String expr, Map<String, String> labels, Map<String, String> annotations) {

	static final String FILE = "prometheus/alerts.yml";

	/** Reads every alerting rule of every group; recording rules are left out. */
	static List<AlertRule> load() {
		List<AlertRule> rules = new ArrayList<>();
		for (Object group : list(yaml(FILE).get("groups"), FILE + " groups")) {
			Map<String, Object> groupMap = map(group, FILE + " group");
			String where = FILE + " group " + groupMap.get("name");
			for (Object rule : list(groupMap.get("rules"), where)) {
				Map<String, Object> ruleMap = map(rule, where);
				if (ruleMap.containsKey("alert")) {
					rules.add(new AlertRule(String.valueOf(ruleMap.get("alert")), String.valueOf(ruleMap.get("expr")),
							strings(ruleMap.get("labels")), strings(ruleMap.get("annotations"))));
				}
			}
		}
		return rules;
	}

	private static Map<String, String> strings(Object value) {
		Map<String, String> strings = new LinkedHashMap<>();
		if (value != null) {
			map(value, FILE + " labels or annotations").forEach((key, text) -> strings.put(key, String.valueOf(text)));
		}
		return strings;
	}

}

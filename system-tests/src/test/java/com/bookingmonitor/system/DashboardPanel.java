package com.bookingmonitor.system;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import static com.bookingmonitor.system.ComposeProject.json;
import static com.bookingmonitor.system.ComposeProject.list;
import static com.bookingmonitor.system.ComposeProject.map;
import static com.bookingmonitor.system.ComposeProject.yaml;

/**
 * One panel of the provisioned Grafana dashboard, rows included.
 *
 * @param id the panel id, unique in the dashboard
 * @param type the panel type, such as {@code timeseries}, {@code stat} or {@code row}
 * @param title the panel title
 * @param datasourceUid uid of the panel's datasource, or null when it has none
 * @param targets the panel's queries
 */
record DashboardPanel(int id, String type, String title, String datasourceUid, List<Target> targets) {

	static final String FILE = "grafana/provisioning/dashboards/booking-monitor.json";

	static final String DATASOURCES_FILE = "grafana/provisioning/datasources/prometheus.yaml";

	boolean isRow() {
		return "row".equals(this.type);
	}

	/** Reads the panels in dashboard order, including panels nested in collapsed rows. */
	static List<DashboardPanel> load() {
		List<DashboardPanel> panels = new ArrayList<>();
		for (JsonNode panel : json(FILE).required("panels")) {
			panels.add(of(panel));
			for (JsonNode nested : panel.path("panels")) {
				panels.add(of(nested));
			}
		}
		return panels;
	}

	/** Returns the uid of the single Prometheus datasource that Grafana provisions. */
	static String provisionedDatasourceUid() {
		List<Object> datasources = list(yaml(DATASOURCES_FILE).get("datasources"), DATASOURCES_FILE + " datasources");
		if (datasources.size() != 1) {
			throw new IllegalStateException("Expected one datasource in " + DATASOURCES_FILE + ", got " + datasources);
		}
		return String.valueOf(map(datasources.get(0), DATASOURCES_FILE).get("uid"));
	}

	private static DashboardPanel of(JsonNode panel) {
		List<Target> targets = new ArrayList<>();
		for (JsonNode target : panel.path("targets")) {
			targets.add(new Target(target.path("refId").asString(""), target.path("expr").asString(""),
					uid(target.path("datasource"))));
		}
		return new DashboardPanel(panel.path("id").asInt(), panel.path("type").asString(""),
				panel.path("title").asString(""), uid(panel.path("datasource")), targets);
	}

	private static String uid(JsonNode datasource) {
		return datasource.has("uid") ? datasource.get("uid").asString() : null;
	}

	/**
	 * One query of a panel.
	 *
	 * @param refId the query's letter in the panel
	 * @param expr the PromQL expression, with Grafana variables such as
	 * {@code $__rate_interval}
	 * @param datasourceUid uid of the query's datasource, or null when it has none
	 */
	record Target(String refId, String expr, String datasourceUid) {

	}

}

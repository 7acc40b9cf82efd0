package com.bookingmonitor.system;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.bookingmonitor.system.DashboardPanel.Target;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consistency of the provisioned Grafana dashboard without a running Grafana.
 * MetricsCoverageTests checks that the metrics it queries exist.
 */
class DashboardTests {

	@Test
	void dashboardHasOpsRows() {
		List<String> rows = DashboardPanel.load()
			.stream()
			.filter(DashboardPanel::isRow)
			.map(DashboardPanel::title)
			.toList();

		assertThat(rows).containsExactly("Intake", "Pipeline", "Inventory", "Failures", "JVM and pools");
	}

	@Test
	void everyPanelQueriesProvisionedDatasource() {
		String uid = DashboardPanel.provisionedDatasourceUid();
		List<DashboardPanel> panels = DashboardPanel.load().stream().filter((panel) -> !panel.isRow()).toList();

		assertThat(panels).hasSizeGreaterThan(10);
		for (DashboardPanel panel : panels) {
			assertThat(panel.datasourceUid()).as("datasource of panel '%s'", panel.title()).isEqualTo(uid);
			assertThat(panel.targets()).as("queries of panel '%s'", panel.title()).isNotEmpty();
			for (Target target : panel.targets()) {
				String where = "query " + target.refId() + " of panel '" + panel.title() + "'";
				assertThat(target.expr()).as(where).isNotBlank();
				assertThat(target.datasourceUid()).as("datasource of %s", where).isEqualTo(uid);
			}
		}
	}

	@Test
	void everyQuerySelectsMetric() {
		for (DashboardPanel panel : DashboardPanel.load()) {
			for (Target target : panel.targets()) {
				assertThat(MetricsNames.usedIn(target.expr()))
					.as("metrics of query %s of panel '%s'", target.refId(), panel.title())
					.isNotEmpty();
			}
		}
	}

	@Test
	void panelIdsAreUnique() {
		List<Integer> ids = DashboardPanel.load().stream().map(DashboardPanel::id).toList();

		assertThat(ids).doesNotHaveDuplicates();
		assertThat(ids).doesNotContain(0);
	}

}

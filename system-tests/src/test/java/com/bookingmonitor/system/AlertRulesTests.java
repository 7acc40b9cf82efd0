package com.bookingmonitor.system;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static com.bookingmonitor.system.ComposeProject.file;
import static com.bookingmonitor.system.ComposeProject.list;
import static com.bookingmonitor.system.ComposeProject.map;
import static com.bookingmonitor.system.ComposeProject.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consistency of prometheus/prometheus.yml and prometheus/alerts.yml without a running
 * Prometheus. check.sh runs promtool on the same files.
 */
class AlertRulesTests {

	private static final String PROMETHEUS_FILE = "prometheus/prometheus.yml";

	private static final Pattern JOB_MATCHER = Pattern.compile("\\bjob\\s*(=~|=|!=|!~)\\s*\"([^\"]*)\"");

	@Test
	void alertsUseOnlyScrapedJobs() {
		Set<String> scraped = scrapeConfigs().keySet();
		Set<String> used = new LinkedHashSet<>();

		for (AlertRule rule : AlertRule.load()) {
			Matcher matcher = JOB_MATCHER.matcher(rule.expr());
			while (matcher.find()) {
				assertThat(matcher.group(1)).as("job matcher of %s", rule.name()).isIn("=", "=~");
				for (String job : matcher.group(2).split("\\|")) {
					assertThat(job).as("job in %s", rule.name()).matches("[a-z0-9-]+");
					used.add(job);
				}
			}
		}

		assertThat(used).isNotEmpty();
		assertThat(scraped).containsAll(used);
	}

	@Test
	void servicesAreScrapedFromActuator() {
		Map<String, Map<String, Object>> configs = scrapeConfigs();

		assertThat(configs).containsOnlyKeys("booking-api", "order-consumer");
		configs.forEach((job, config) -> assertThat(config.get("metrics_path")).as("metrics_path of %s", job)
			.isEqualTo("/actuator/prometheus"));
	}

	@Test
	void prometheusLoadsAlertRules() {
		List<Object> ruleFiles = list(yaml(PROMETHEUS_FILE).get("rule_files"), PROMETHEUS_FILE + " rule_files");

		assertThat(ruleFiles).containsExactly("alerts.yml");
	}

	@Test
	void opsAlertsExist() {
		List<String> names = AlertRule.load().stream().map(AlertRule::name).toList();

		assertThat(names).contains("ConsumerLagGrowing", "PendingEntryTooOld", "DeadLettersWritten",
				"ConsumerGroupRecreated", "HttpServerErrorRatioHigh", "BookLatencyP99High", "InventoryDrift",
				"TargetDown");
		assertThat(names).doesNotHaveDuplicates();
	}

	@Test
	void everyAlertHasRunbook() {
		for (AlertRule rule : AlertRule.load()) {
			assertThat(rule.annotations().get("summary")).as("summary of %s", rule.name()).isNotBlank();
			assertThat(rule.annotations().get("description")).as("description of %s", rule.name()).isNotBlank();
			assertThat(rule.annotations().get("runbook")).as("runbook of %s", rule.name()).isNotBlank();
			assertThat(rule.labels().get("severity")).as("severity of %s", rule.name()).isIn("warning", "critical");
		}
	}

	@Test
	void everyAlertHasUnitTest() throws IOException {
		String unitTests = Files.readString(file("prometheus/alerts-test.yml"));
		List<String> untested = new ArrayList<>();

		for (AlertRule rule : AlertRule.load()) {
			if (!unitTests.contains("alertname=\"" + rule.name() + "\", alertstate=\"firing\"")) {
				untested.add(rule.name());
			}
		}

		assertThat(untested).as("alerts without a firing case in alerts-test.yml").isEmpty();
	}

	/** Returns each scrape config by job name. */
	private static Map<String, Map<String, Object>> scrapeConfigs() {
		Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
		for (Object config : list(yaml(PROMETHEUS_FILE).get("scrape_configs"), PROMETHEUS_FILE + " scrape_configs")) {
			Map<String, Object> configMap = map(config, PROMETHEUS_FILE + " scrape config");
			configs.put(String.valueOf(configMap.get("job_name")), configMap);
		}
		return configs;
	}

}

package com.bookingmonitor.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsNamesTests {

	@Test
	void plainSelectorIsFound() {
		assertThat(MetricsNames.usedIn("up")).containsExactly("up");
	}

	@Test
	void functionsAndAggregationsAreSkipped() {
		String expr = "histogram_quantile(0.99, sum by (le) (rate(http_server_requests_seconds_bucket"
				+ "{job=\"booking-api\", uri=\"/book\"}[$__rate_interval])))";

		assertThat(MetricsNames.usedIn(expr)).containsExactly("http_server_requests_seconds_bucket");
	}

	@Test
	void labelNamesAndValuesAreSkipped() {
		String expr = "sum by (job, outcome) (booking_requests_total{job=~\"booking-api|order-consumer\","
				+ " outcome!=\"accepted\", status=~\"5..\"})";

		assertThat(MetricsNames.usedIn(expr)).containsExactly("booking_requests_total");
	}

	@Test
	void bothSidesOfBinaryOperatorsAreFound() {
		String expr = "sum(rate(consumer_batch_size_sum[1m])) / sum(rate(consumer_batch_size_count[1m]))"
				+ " and on (partition) consumer_lag > 0 unless ignoring (instance) group_left (job) up";

		assertThat(MetricsNames.usedIn(expr)).containsExactly("consumer_batch_size_sum", "consumer_batch_size_count",
				"consumer_lag", "up");
	}

	@Test
	void trailingGroupingClauseIsSkipped() {
		assertThat(MetricsNames.usedIn("sum(jvm_memory_used_bytes) without (id, area)"))
			.containsExactly("jvm_memory_used_bytes");
	}

	@Test
	void durationsOffsetsAndNumbersAreSkipped() {
		String expr = "deriv(consumer_lag[1m] offset 5m) > 1e3 or max_over_time(consumer_lag[10m:30s]) > bool 0.5";

		assertThat(MetricsNames.usedIn(expr)).containsExactly("consumer_lag");
	}

	@Test
	void grafanaVariablesAreSkipped() {
		String expr = "increase(consumer_entries_dead_lettered_total[$__range]) * $factor + ${offset}";

		assertThat(MetricsNames.usedIn(expr)).containsExactly("consumer_entries_dead_lettered_total");
	}

	@Test
	void expressionWithoutMetricHasNoNames() {
		assertThat(MetricsNames.usedIn("vector(1) + scalar(time())")).isEmpty();
	}

	@Test
	void exposedNamesSkipComments() {
		String exposition = """
				# HELP booking_requests_total Booking requests by outcome
				# TYPE booking_requests_total counter
				booking_requests_total{outcome="accepted"} 2.0
				booking_requests_total{outcome="sold_out"} 1.0
				process_uptime_seconds 12.5
				""";

		assertThat(MetricsNames.exposedIn(exposition)).containsExactly("booking_requests_total",
				"process_uptime_seconds");
	}

}

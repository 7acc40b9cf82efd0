package com.bookingmonitor.loadgen;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.bookingmonitor.loadgen.FakeBookingApi.Fault;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoadGeneratorTests {

	@Test
	void confirmedSellOutPasses() {
		try (FakeBookingApi api = new FakeBookingApi(4, true)) {
			Run run = run(api, "--capacity", "50", "--requests", "400", "--users", "100", "--clients", "20",
					"--admin-token", "secret", "--expect-sold-out");

			assertThat(run.exitCode()).as(run.output()).isZero();
			assertThat(run.value("tickets accepted")).isEqualTo(50);
			assertThat(run.value("tickets confirmed")).isEqualTo(50);
			assertThat(run.value("available left")).isZero();
			assertThat(run.value("requests sent")).isEqualTo(400);
			assertThat(run.value("accepted") + run.value("sold out")).isEqualTo(400);
			assertThat(run.output()).contains("PASSED");
			assertThat(api.adminAuthorization()).isEqualTo("Bearer secret");
		}
	}

	@Test
	void conflictsCountedByProblemType() {
		try (FakeBookingApi api = new FakeBookingApi(4, true)) {
			Run run = run(api, "--capacity", "6", "--requests", "20", "--users", "1", "--max-quantity", "1",
					"--clients", "1");

			assertThat(run.exitCode()).as(run.output()).isZero();
			assertThat(run.value("accepted")).isEqualTo(4);
			assertThat(run.value("limit reached")).isEqualTo(16);
			assertThat(run.value("sold out")).isZero();
			assertThat(run.value("other 4xx")).isZero();
		}
	}

	@Test
	void serverErrorsFailRun() {
		try (FakeBookingApi api = new FakeBookingApi(4, Fault.INTERNAL_ERROR, 10, true)) {
			Run run = run(api, "--capacity", "1000", "--requests", "100", "--users", "100", "--clients", "5");

			assertThat(run.exitCode()).isEqualTo(1);
			assertThat(run.value("other 5xx")).isEqualTo(10);
			assertThat(run.value("retries after 503 or I/O")).isZero();
			assertThat(run.output()).contains("FAILED: 10 bookings ended with a 5xx or I/O error");
		}
	}

	@Test
	void unknownOutcomeRetriedWithSameKey() {
		try (FakeBookingApi api = new FakeBookingApi(4, Fault.OUTCOME_UNKNOWN, 10, true)) {
			Run run = run(api, "--capacity", "50", "--requests", "400", "--users", "100", "--clients", "20",
					"--expect-sold-out");

			assertThat(run.exitCode()).as(run.output()).isZero();
			assertThat(run.value("retries after 503 or I/O")).isEqualTo(40);
			assertThat(run.value("503")).isZero();
			assertThat(run.value("tickets accepted")).isEqualTo(50);
			assertThat(run.value("tickets confirmed")).isEqualTo(50);
		}
	}

	@Test
	void unknownOutcomeWithoutRetriesFails() {
		try (FakeBookingApi api = new FakeBookingApi(4, Fault.OUTCOME_UNKNOWN, 10, true)) {
			Run run = run(api, "--capacity", "1000", "--requests", "100", "--users", "100", "--clients", "5",
					"--retries", "0");

			assertThat(run.exitCode()).isEqualTo(1);
			assertThat(run.value("503")).isEqualTo(10);
			assertThat(run.value("retries after 503 or I/O")).isZero();
			assertThat(run.output()).contains("FAILED: 10 bookings ended with a 5xx or I/O error");
			assertThat(run.output()).containsPattern("FAILED: tickets confirmed [0-9]+ != tickets accepted");
		}
	}

	@Test
	void unconfirmedTicketsFailAfterDrainTimeout() {
		try (FakeBookingApi api = new FakeBookingApi(4, false)) {
			Run run = run(api, "--capacity", "10", "--requests", "50", "--users", "50", "--clients", "5",
					"--drain-timeout", "1");

			assertThat(run.exitCode()).isEqualTo(1);
			assertThat(run.output()).contains("timed out");
			assertThat(run.output()).contains("FAILED: tickets confirmed 0 != tickets accepted 10");
		}
	}

	@Test
	void expectedSellOutFailsWhenTicketsRemain() {
		try (FakeBookingApi api = new FakeBookingApi(4, true)) {
			Run run = run(api, "--capacity", "1000", "--requests", "10", "--users", "10", "--max-quantity", "1",
					"--expect-sold-out");

			assertThat(run.exitCode()).isEqualTo(1);
			assertThat(run.output()).contains("FAILED: tickets accepted 10 != tickets on sale 1000");
		}
	}

	@Test
	void invalidOptionExitsWithTwo() {
		Run run = run(null, "--clients", "0");

		assertThat(run.exitCode()).isEqualTo(2);
		assertThat(run.output()).contains("Invalid --clients 0");
	}

	@Test
	void unreachableApiFailsRun() {
		FakeBookingApi api = new FakeBookingApi(4, true);
		String url = api.url();
		api.close();

		Run run = run(null, "--url", url, "--requests", "1");

		assertThat(run.exitCode()).isEqualTo(1);
		assertThat(run.output()).contains("FAILED: cannot connect to booking-api at " + url);
	}

	private static Run run(FakeBookingApi api, String... options) {
		List<String> arguments = new ArrayList<>(List.of(options));
		if (api != null) {
			arguments.addAll(List.of("--url", api.url()));
		}
		StringWriter output = new StringWriter();
		PrintWriter writer = new PrintWriter(output, true);
		int exitCode = LoadGenerator.commandLine()
			.setOut(writer)
			.setErr(writer)
			.execute(arguments.toArray(String[]::new));
		return new Run(exitCode, output.toString());
	}

	private record Run(int exitCode, String output) {

		/** Returns the first number on the summary line that starts with the label. */
		long value(String label) {
			Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(label) + " +([0-9,]+)").matcher(this.output);
			assertThat(matcher.find()).as("line '%s' in:%n%s", label, this.output).isTrue();
			return Long.parseLong(matcher.group(1).replace(",", ""));
		}

	}

}

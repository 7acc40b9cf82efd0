package com.bookingmonitor.loadgen;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.bookingmonitor.loadgen.BookingApiClient.EventStatus;

/**
 * The result of one flash sale: what it prints and the checks that decide the exit code.
 *
 * @param eventId the event booked
 * @param before the event before the first request
 * @param after the event after the drain, or after the drain timed out
 * @param tally the responses
 * @param sendTime time from the first request to the last response
 * @param drainTime time from the last response until PostgreSQL had confirmed every
 * accepted ticket, or null when that did not happen within the drain timeout
 * @param expectSoldOut whether the sale must sell every ticket on sale
 */
record Summary(long eventId, EventStatus before, EventStatus after, Tally tally, Duration sendTime, Duration drainTime,
		boolean expectSoldOut) {

	/** Tickets this sale's bookings added to PostgreSQL. */
	long ticketsConfirmed() {
		return this.after.confirmed() - this.before.confirmed();
	}

	/** Descriptions of the checks that failed; empty when the sale passed. */
	List<String> failures() {
		List<String> failures = new ArrayList<>();
		long accepted = this.tally.ticketsAccepted();
		if (this.tally.errors() > 0) {
			failures.add(this.tally.errors() + " bookings ended with a 5xx or I/O error");
		}
		if (this.expectSoldOut && accepted != this.before.available()) {
			failures.add("tickets accepted " + accepted + " != tickets on sale " + this.before.available());
		}
		if (ticketsConfirmed() != accepted) {
			failures.add("tickets confirmed " + ticketsConfirmed() + " != tickets accepted " + accepted);
		}
		return failures;
	}

	void print(PrintWriter out) {
		long sent = this.tally.requestsSent();
		double seconds = this.sendTime.toNanos() / 1e9;
		line(out, "requests sent", "%,d in %.1f s (%,.0f requests/s)", sent, seconds, sent / Math.max(seconds, 1e-9));
		for (Outcome outcome : Outcome.values()) {
			line(out, outcome.label(), "%,d", this.tally.count(outcome));
		}
		line(out, "retries after 503 or I/O", "%,d", this.tally.retries());
		line(out, "latency p50 / p99 / max", "%d / %d / %d ms", millis(50), millis(99), millis(100));
		line(out, "tickets accepted", "%,d of %,d on sale", this.tally.ticketsAccepted(), this.before.available());
		line(out, "tickets confirmed", "%,d (PostgreSQL, GET /events/%d)", ticketsConfirmed(), this.eventId);
		line(out, "available left", "%,d", this.after.available());
		if (this.drainTime != null) {
			line(out, "time to drain", "%.1f s", this.drainTime.toMillis() / 1e3);
		}
		else {
			line(out, "time to drain", "timed out");
		}
		List<String> failures = failures();
		if (failures.isEmpty()) {
			out.println("PASSED");
		}
		else {
			failures.forEach(failure -> out.println("FAILED: " + failure));
		}
		out.flush();
	}

	private long millis(double percentile) {
		return this.tally.latencyPercentile(percentile).toMillis();
	}

	private static void line(PrintWriter out, String label, String format, Object... values) {
		out.printf(Locale.ROOT, "%-25s %s%n", label, String.format(Locale.ROOT, format, values));
	}

}

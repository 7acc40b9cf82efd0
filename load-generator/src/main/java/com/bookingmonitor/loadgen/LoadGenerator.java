package com.bookingmonitor.loadgen;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

import com.bookingmonitor.loadgen.BookingApiClient.EventStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Command line of the load generator: options, the sale's steps and the exit code. */
@Command(name = "load-generator", sortOptions = false,
		description = { "Runs a flash sale against booking-api over HTTP. It creates an event (unless --event-id is "
				+ "given), sends booking requests from concurrent clients, waits until PostgreSQL has confirmed "
				+ "every accepted ticket, then prints a summary and checks it.", "" },
		exitCodeListHeading = "%nExit codes:%n",
		exitCodeList = { "0:every check passed",
				"1:a check failed (a booking ended with a 5xx or I/O error after its retries, tickets "
						+ "confirmed != tickets accepted, or, with --expect-sold-out, tickets accepted != tickets "
						+ "on sale), or booking-api failed a setup call",
				"2:invalid options" })
public final class LoadGenerator implements Callable<Integer> {

	private static final Duration DRAIN_POLL_INTERVAL = Duration.ofMillis(50);

	@Spec
	private CommandSpec spec;

	@Option(names = { "-h", "--help" }, usageHelp = true, description = "Print these options and exit.")
	private boolean help;

	@Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "<url>",
			description = "Base URL of booking-api. Default: ${DEFAULT-VALUE}")
	private URI url;

	@Option(names = "--event-id", paramLabel = "<id>",
			description = "Book this existing event instead of creating one. Its bookings from earlier runs must "
					+ "already be confirmed.")
	private Long eventId;

	@Option(names = "--capacity", defaultValue = "1000", paramLabel = "<tickets>",
			description = "Tickets of the event to create. Default: ${DEFAULT-VALUE}")
	private int capacity;

	@Option(names = "--event-name", paramLabel = "<name>",
			description = "Name of the event to create. Default: 'Flash sale' and the current time")
	private String eventName;

	@Option(names = "--admin-token", defaultValue = "${env:BOOKING_ADMIN_TOKEN}", paramLabel = "<token>",
			description = "Bearer token for POST /events, needed when booking-api has one set. "
					+ "Default: the BOOKING_ADMIN_TOKEN environment variable")
	private String adminToken;

	@Option(names = "--requests", defaultValue = "20000", paramLabel = "<count>",
			description = "Number of POST /book requests. Default: ${DEFAULT-VALUE}")
	private int requests;

	@Option(names = "--users", defaultValue = "5000", paramLabel = "<count>",
			description = "Number of distinct user ids, used in turn. Default: ${DEFAULT-VALUE}")
	private int users;

	@Option(names = "--max-quantity", defaultValue = "2", paramLabel = "<tickets>",
			description = "Each request books 1 to this many tickets, chosen at random. Default: ${DEFAULT-VALUE}")
	private int maxQuantity;

	@Option(names = "--clients", defaultValue = "200", paramLabel = "<count>",
			description = "Concurrent HTTP clients, each with one request in flight. Default: ${DEFAULT-VALUE}")
	private int clients;

	@Option(names = "--request-timeout", defaultValue = "10", paramLabel = "<seconds>",
			description = "Maximum time for one request, in seconds. Default: ${DEFAULT-VALUE}")
	private int requestTimeoutSeconds;

	@Option(names = "--max-duration", defaultValue = "120", paramLabel = "<seconds>",
			description = "Stop sending requests after this many seconds, even if some are left. "
					+ "Default: ${DEFAULT-VALUE}")
	private int maxDurationSeconds;

	@Option(names = "--drain-timeout", defaultValue = "60", paramLabel = "<seconds>",
			description = "Maximum time to wait after the last response until PostgreSQL has confirmed every "
					+ "accepted ticket, in seconds. Default: ${DEFAULT-VALUE}")
	private int drainTimeoutSeconds;

	@Option(names = "--retries", defaultValue = "3", paramLabel = "<count>",
			description = "Maximum times one booking is sent again, with the same Idempotency-Key, after a 503 "
					+ "or an I/O error, waiting for Retry-After (at most 5 s) each time. 0 counts the first "
					+ "503 as the booking's outcome. Default: ${DEFAULT-VALUE}")
	private int retries;

	@Option(names = "--expect-sold-out",
			description = "Fail unless the accepted tickets equal the tickets on sale before the first request.")
	private boolean expectSoldOut;

	@Option(names = "--seed", defaultValue = "1", paramLabel = "<number>",
			description = "Seed of the random ticket quantities, so runs repeat. Default: ${DEFAULT-VALUE}")
	private long seed;

	public static void main(String[] args) {
		System.exit(commandLine().execute(args));
	}

	/**
	 * Builds the command line; invalid options print the error only, not the whole help.
	 */
	static CommandLine commandLine() {
		CommandLine commandLine = new CommandLine(new LoadGenerator());
		commandLine.setParameterExceptionHandler((ex, args) -> {
			PrintWriter err = ex.getCommandLine().getErr();
			err.println(ex.getMessage());
			err.println("Run with --help to list the options.");
			err.flush();
			return 2;
		});
		return commandLine;
	}

	@Override
	public Integer call() throws InterruptedException {
		validateOptions();
		PrintWriter out = this.spec.commandLine().getOut();
		BookingApiClient client = new BookingApiClient(this.url, Duration.ofSeconds(this.requestTimeoutSeconds),
				this.adminToken);
		try {
			Summary summary = runSale(client, out);
			summary.print(out);
			return summary.failures().isEmpty() ? 0 : 1;
		}
		catch (ConnectException ex) {
			return fail(out, "cannot connect to booking-api at " + this.url + ": start it, or pass its --url");
		}
		catch (IOException ex) {
			return fail(out, "booking-api at " + this.url + " did not respond as expected: " + ex.getMessage());
		}
	}

	private int fail(PrintWriter out, String message) {
		out.flush();
		PrintWriter err = this.spec.commandLine().getErr();
		err.println("FAILED: " + message);
		err.flush();
		return 1;
	}

	private Summary runSale(BookingApiClient client, PrintWriter out) throws IOException, InterruptedException {
		long event = (this.eventId != null) ? this.eventId : client.createEvent(eventName(), this.capacity);
		EventStatus before = client.event(event);
		out.printf("Event %d: %,d tickets, %,d on sale%n", event, before.capacity(), before.available());
		out.printf("Sending %,d booking requests from %,d users (1 to %d tickets each), %d clients at a time, to %s%n",
				this.requests, Math.min(this.users, this.requests), this.maxQuantity, this.clients, this.url);
		out.flush();

		FlashSale.Plan plan = new FlashSale.Plan(this.requests, this.users, this.maxQuantity, this.clients, this.seed,
				Duration.ofSeconds(this.maxDurationSeconds), this.retries);
		long sendStart = System.nanoTime();
		Tally tally = new FlashSale(client, plan).run(event);
		Duration sendTime = Duration.ofNanos(System.nanoTime() - sendStart);

		long drainStart = System.nanoTime();
		long expectedConfirmed = before.confirmed() + tally.ticketsAccepted();
		long drainDeadline = drainStart + Duration.ofSeconds(this.drainTimeoutSeconds).toNanos();
		EventStatus after = client.event(event);
		while (after.confirmed() < expectedConfirmed && System.nanoTime() < drainDeadline) {
			Thread.sleep(DRAIN_POLL_INTERVAL);
			after = client.event(event);
		}
		Duration drainTime = (after.confirmed() >= expectedConfirmed) ? Duration.ofNanos(System.nanoTime() - drainStart)
				: null;
		return new Summary(event, before, after, tally, sendTime, drainTime, this.expectSoldOut);
	}

	private String eventName() {
		if (this.eventName != null) {
			return this.eventName;
		}
		return "Flash sale " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
	}

	private void validateOptions() {
		requirePositive("--capacity", this.capacity);
		requirePositive("--requests", this.requests);
		requirePositive("--users", this.users);
		requirePositive("--max-quantity", this.maxQuantity);
		requirePositive("--clients", this.clients);
		requirePositive("--request-timeout", this.requestTimeoutSeconds);
		requirePositive("--max-duration", this.maxDurationSeconds);
		requirePositive("--drain-timeout", this.drainTimeoutSeconds);
		if (this.retries < 0) {
			throw new ParameterException(this.spec.commandLine(),
					"Invalid --retries " + this.retries + ": expected 0 or more");
		}
		if (this.eventId != null && this.spec.commandLine().getParseResult().hasMatchedOption("--capacity")) {
			throw new ParameterException(this.spec.commandLine(),
					"Invalid options: --capacity creates an event, so it cannot be combined with --event-id");
		}
		String scheme = this.url.getScheme();
		if (!"http".equals(scheme) && !"https".equals(scheme)) {
			throw new ParameterException(this.spec.commandLine(),
					"Invalid --url '" + this.url + "': expected an http or https URL such as http://127.0.0.1:8080");
		}
	}

	private void requirePositive(String option, long value) {
		if (value < 1) {
			throw new ParameterException(this.spec.commandLine(),
					"Invalid " + option + " " + value + ": expected a number of at least 1");
		}
	}

}

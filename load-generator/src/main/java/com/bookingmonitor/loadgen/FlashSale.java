package com.bookingmonitor.loadgen;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.bookingmonitor.loadgen.BookingApiClient.BookingResult;

/**
 * Sends a fixed number of booking requests for one event from a fixed number of
 * concurrent clients, each waiting for its response before it sends the next request.
 */
final class FlashSale {

	/** Maximum wait before a retry, even when {@code Retry-After} requests longer. */
	private static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(5);

	private final BookingApiClient client;

	private final Plan plan;

	FlashSale(BookingApiClient client, Plan plan) {
		this.client = client;
		this.plan = plan;
	}

	/**
	 * Runs the sale and returns the counts once every client has stopped: after the last
	 * request, or when {@link Plan#maxDuration()} has passed.
	 */
	Tally run(long eventId) throws InterruptedException {
		Tally tally = new Tally(this.plan.requests());
		AtomicInteger nextRequest = new AtomicInteger();
		long deadline = System.nanoTime() + this.plan.maxDuration().toNanos();
		// Virtual threads: each client blocks on its HTTP call, so a thread per client is
		// cheap even for thousands of clients.
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < this.plan.clients(); i++) {
				clients.execute(() -> sendUntilDone(eventId, nextRequest, deadline, tally));
			}
		}
		if (Thread.currentThread().isInterrupted()) {
			throw new InterruptedException("Interrupted while the flash sale was running");
		}
		return tally;
	}

	private void sendUntilDone(long eventId, AtomicInteger nextRequest, long deadline, Tally tally) {
		int index;
		while ((index = nextRequest.getAndIncrement()) < this.plan.requests() && System.nanoTime() < deadline) {
			// Round-robin users, so every one of them books, and a quantity from a random
			// sequence that depends only on the seed and the request index.
			String userId = "user-" + (index % this.plan.users());
			int quantity = 1 + new SplittableRandom(this.plan.seed() + index).nextInt(this.plan.maxQuantity());
			long start = System.nanoTime();
			try {
				Outcome outcome = bookWithRetries(eventId, userId, quantity, deadline, tally);
				tally.record(outcome, quantity, System.nanoTime() - start);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * Books as a careful client does: after a 503 or an I/O error it waits for
	 * {@code Retry-After} and sends the booking again with the same idempotency key, so a
	 * booking that was made replays rather than books twice. It returns the last outcome.
	 */
	private Outcome bookWithRetries(long eventId, String userId, int quantity, long deadline, Tally tally)
			throws InterruptedException {
		String idempotencyKey = UUID.randomUUID().toString();
		BookingResult result = this.client.book(eventId, userId, quantity, idempotencyKey);
		for (int retry = 1; retry <= this.plan.retries() && result.outcome().isRetryable(); retry++) {
			Duration wait = (result.retryAfter().compareTo(MAX_RETRY_WAIT) > 0) ? MAX_RETRY_WAIT : result.retryAfter();
			if (System.nanoTime() + wait.toNanos() > deadline) {
				break;
			}
			Thread.sleep(wait);
			tally.recordRetry();
			result = this.client.book(eventId, userId, quantity, idempotencyKey);
		}
		return result.outcome();
	}

	/**
	 * The requests of one sale.
	 *
	 * @param requests number of {@code POST /book} requests
	 * @param users number of distinct user ids, used in turn
	 * @param maxQuantity each request books 1 to this many tickets
	 * @param clients number of requests in flight at once
	 * @param seed seed of the ticket quantities
	 * @param maxDuration time after which no new request is sent
	 * @param retries maximum times one booking is sent again after a 503 or an I/O error
	 */
	record Plan(int requests, int users, int maxQuantity, int clients, long seed, Duration maxDuration, int retries) {
	}

}

package com.bookingmonitor.loadgen;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a fixed number of booking requests for one event from a fixed number of
 * concurrent clients, each waiting for its response before it sends the next request.
 */
final class FlashSale {

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
				Outcome outcome = this.client.book(eventId, userId, quantity);
				tally.record(outcome, quantity, System.nanoTime() - start);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * What to send.
	 *
	 * @param requests number of {@code POST /book} requests
	 * @param users number of distinct user ids, used in turn
	 * @param maxQuantity each request books 1 to this many tickets
	 * @param clients number of requests in flight at once
	 * @param seed seed of the ticket quantities
	 * @param maxDuration time after which no new request is sent
	 */
	record Plan(int requests, int users, int maxQuantity, int clients, long seed, Duration maxDuration) {
	}

}

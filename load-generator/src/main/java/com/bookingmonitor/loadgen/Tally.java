package com.bookingmonitor.loadgen;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counts of a flash sale's responses, and their latencies. */
final class Tally {

	private final Map<Outcome, LongAdder> responses = new EnumMap<>(Outcome.class);

	private final LongAdder ticketsAccepted = new LongAdder();

	private final LongAdder retries = new LongAdder();

	private final long[] latencyNanos;

	private final AtomicInteger recorded = new AtomicInteger();

	/** Creates an empty tally with room for {@code maxRequests} latencies. */
	Tally(int maxRequests) {
		for (Outcome outcome : Outcome.values()) {
			this.responses.put(outcome, new LongAdder());
		}
		this.latencyNanos = new long[maxRequests];
	}

	void record(Outcome outcome, int quantity, long latencyNanos) {
		this.responses.get(outcome).increment();
		if (outcome == Outcome.ACCEPTED) {
			this.ticketsAccepted.add(quantity);
		}
		int slot = this.recorded.getAndIncrement();
		if (slot < this.latencyNanos.length) {
			this.latencyNanos[slot] = latencyNanos;
		}
	}

	/** Counts one request sent again after a retryable outcome. */
	void recordRetry() {
		this.retries.increment();
	}

	long retries() {
		return this.retries.sum();
	}

	long count(Outcome outcome) {
		return this.responses.get(outcome).sum();
	}

	long requestsSent() {
		return this.recorded.get();
	}

	long ticketsAccepted() {
		return this.ticketsAccepted.sum();
	}

	/** Bookings whose last response was a 5xx or an I/O error. */
	long errors() {
		long errors = 0;
		for (Outcome outcome : Outcome.values()) {
			if (outcome.isError()) {
				errors += count(outcome);
			}
		}
		return errors;
	}

	/**
	 * Returns the latency at a percentile of the recorded responses, or zero when none
	 * were recorded. Call it only after every client has stopped.
	 * @param percentile 0 to 100
	 */
	Duration latencyPercentile(double percentile) {
		int count = Math.min(this.recorded.get(), this.latencyNanos.length);
		if (count == 0) {
			return Duration.ZERO;
		}
		long[] sorted = Arrays.copyOf(this.latencyNanos, count);
		Arrays.sort(sorted);
		int index = (int) Math.ceil(percentile / 100 * count) - 1;
		return Duration.ofNanos(sorted[Math.clamp(index, 0, count - 1)]);
	}

}

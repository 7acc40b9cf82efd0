package com.bookingmonitor.consumer.stream;

import java.time.Duration;

/**
 * Exponential backoff between retries, capped. Not thread-safe: each worker owns one.
 */
final class Backoff {

	private final Duration initial;

	private final Duration max;

	private int failures;

	Backoff(Duration initial, Duration max) {
		this.initial = initial;
		this.max = max;
	}

	/** Records a failure and returns how long to wait before the next attempt. */
	Duration next() {
		this.failures++;
		int doublings = Math.min(this.failures - 1, 30);
		long millis = this.initial.toMillis() << doublings;
		if (millis <= 0 || millis > this.max.toMillis()) {
			return this.max;
		}
		return Duration.ofMillis(millis);
	}

	/** Failures in a row since the last success. */
	int failures() {
		return this.failures;
	}

	void reset() {
		this.failures = 0;
	}

}

package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Tells workers to stop, and wakes them from waits between retries when it does. */
final class StopSignal {

	private final CountDownLatch latch = new CountDownLatch(1);

	void stop() {
		this.latch.countDown();
	}

	boolean isStopped() {
		return this.latch.getCount() == 0;
	}

	/**
	 * Waits for the given time or until stopped, whichever comes first.
	 * @return whether the signal was given
	 */
	boolean await(Duration timeout) {
		try {
			return this.latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return true;
		}
	}

	/** Waits until stopped or interrupted. */
	void awaitStop() {
		try {
			this.latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}

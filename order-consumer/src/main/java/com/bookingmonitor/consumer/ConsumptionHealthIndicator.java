package com.bookingmonitor.consumer;

import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import com.bookingmonitor.consumer.stream.StreamConsumer;

/**
 * Health of consumption, part of the readiness group: DOWN when the consumer is stopped,
 * a partition worker thread has ended, or a worker has not completed a loop within the
 * stall timeout.
 */
class ConsumptionHealthIndicator implements HealthIndicator {

	private final StreamConsumer consumer;

	ConsumptionHealthIndicator(StreamConsumer consumer) {
		this.consumer = consumer;
	}

	@Override
	public Health health() {
		if (!this.consumer.isRunning()) {
			return Health.down().withDetail("reason", "consumer stopped").build();
		}
		Map<Integer, String> problems = this.consumer.problems();
		if (!problems.isEmpty()) {
			return Health.down().withDetail("partitions", problems).build();
		}
		return Health.up().build();
	}

}

package com.bookingmonitor.api.booking;

import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.common.RedisKeys;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the hot path: runs the booking script through the same EVALSHA path as a
 * booking, once per partition, on keys no event uses. A Redis that lost its scripts gets
 * the script again through the NOSCRIPT fallback, so this reports down only while
 * bookings would fail.
 */
@Component
class BookingScriptHealthIndicator implements HealthIndicator {

	private final BookingScript script;

	private final BookingScriptExecutor executor;

	private final RedisKeys keys;

	BookingScriptHealthIndicator(BookingScript script, BookingScriptExecutor executor, RedisKeys keys) {
		this.script = script;
		this.executor = executor;
		this.keys = keys;
	}

	@Override
	public Health health() {
		try {
			for (int partition = 0; partition < this.keys.partitions(); partition++) {
				BookingScript.Result result = this.executor.execute(this.script.probe(partition));
				if (result.outcome() != BookingScript.Outcome.MISSING_INVENTORY) {
					return Health.down()
						.withDetail("partition", partition)
						.withDetail("outcome", result.outcome())
						.build();
				}
			}
			return Health.up().withDetail("partitions", this.keys.partitions()).build();
		}
		catch (RedisUnavailableException ex) {
			return Health.down(ex).build();
		}
	}

}

package com.bookingmonitor.api.inventory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

import org.springframework.stereotype.Component;

/**
 * Reads the bookings still in flight (accepted but not yet persisted) from a partition's
 * pending-bookings hash. HSCAN rather than HGETALL keeps Redis responsive while a stalled
 * consumer lets the hash grow.
 */
@Component
class InFlightBookings {

	private static final Logger logger = LoggerFactory.getLogger(InFlightBookings.class);

	private static final int SCAN_COUNT = 1000;

	private static final long SAFETY_TIMEOUT_MILLIS = Duration.ofSeconds(5).toMillis();

	private final RedisKeys keys;

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	InFlightBookings(RedisKeys keys, RedisLink link) {
		this.keys = keys;
		this.link = link;
		this.commands = link.async();
	}

	/**
	 * Returns the pending bookings of the given events in one partition, by booking id.
	 * Values that do not decode are skipped and logged once per scan.
	 */
	Map<UUID, PendingBooking> of(int partition, Set<Long> eventIds) {
		return Objects.requireNonNull(of(partition, eventIds, () -> false));
	}

	/**
	 * Returns the pending bookings of the given events in one partition, by booking id,
	 * or null when {@code stale} turns true between two pages of the scan. Values that do
	 * not decode are skipped and logged once per scan.
	 * @param stale returns true once the result would be discarded anyway, which ends the
	 * scan early, so that a hash that grows under load is not read into memory in full
	 */
	@Nullable Map<UUID, PendingBooking> of(int partition, Set<Long> eventIds, BooleanSupplier stale) {
		RedisCalls.requireConnected(this.link);
		String hash = this.keys.pendingBookings(partition);
		Map<UUID, PendingBooking> bookings = new HashMap<>();
		int invalid = 0;
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			MapScanCursor<String, String> page = RedisCalls
				.await(this.commands.hscan(hash, cursor, ScanArgs.Builder.limit(SCAN_COUNT)), SAFETY_TIMEOUT_MILLIS);
			for (Map.Entry<String, String> entry : page.getMap().entrySet()) {
				try {
					PendingBooking booking = PendingBooking.decode(entry.getValue());
					if (eventIds.contains(booking.eventId())) {
						bookings.put(UUID.fromString(entry.getKey()), booking);
					}
				}
				catch (IllegalArgumentException ex) {
					invalid++;
				}
			}
			cursor = page;
			if (!cursor.isFinished() && stale.getAsBoolean()) {
				return null;
			}
		}
		while (!cursor.isFinished());
		if (invalid > 0) {
			logger.error("Skipped pending-bookings hash fields that do not decode: hash={} fields={}", hash, invalid);
		}
		return bookings;
	}

}

package com.bookingmonitor.api.booking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import com.bookingmonitor.api.booking.BookingView.Status;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Finds a booking in the pending-bookings hashes first and in PostgreSQL second. The
 * consumer removes the hash field only after its commit, so a booking is always in one of
 * the two. Reading them the other way round could miss a booking that moves in between.
 */
@Component
class BookingLookup {

	private static final long SAFETY_TIMEOUT_MILLIS = Duration.ofSeconds(5).toMillis();

	private final RedisKeys keys;

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final JdbcClient jdbc;

	BookingLookup(RedisKeys keys, RedisLink link, JdbcClient jdbc) {
		this.keys = keys;
		this.link = link;
		this.commands = link.async();
		this.jdbc = jdbc;
	}

	Optional<BookingView> find(UUID bookingId) {
		Optional<BookingView> pending = findPending(bookingId);
		if (pending.isPresent()) {
			return pending;
		}
		return this.jdbc.sql("SELECT event_id, user_id, quantity FROM bookings WHERE id = ?")
			.param(bookingId)
			.query((row, number) -> new BookingView(bookingId, row.getLong("event_id"), row.getString("user_id"),
					row.getInt("quantity"), Status.CONFIRMED))
			.optional();
	}

	/**
	 * Queries every partition at once, because a booking id does not name its partition.
	 */
	private Optional<BookingView> findPending(UUID bookingId) {
		RedisCalls.requireConnected(this.link);
		List<RedisFuture<String>> replies = new ArrayList<>(this.keys.partitions());
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			replies.add(this.commands.hget(this.keys.pendingBookings(partition), bookingId.toString()));
		}
		for (RedisFuture<String> reply : replies) {
			String value = RedisCalls.await(reply, SAFETY_TIMEOUT_MILLIS);
			if (value != null) {
				PendingBooking pending = PendingBooking.decode(value);
				return Optional.of(new BookingView(bookingId, pending.eventId(), pending.userId(), pending.quantity(),
						Status.PENDING));
			}
		}
		return Optional.empty();
	}

}

package com.bookingmonitor.consumer.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.BookingStreamCodec;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

/**
 * Accepts bookings the way the booking API's script does: checks and decrements the
 * inventory, adds the stream entry with the {@link BookingStreamCodec} fields in order
 * and adds the pending-bookings field, in one atomic call.
 */
public final class BookingProducer {

	private static final String SCRIPT = """
			local available = tonumber(redis.call('GET', KEYS[1]) or '-1')
			local quantity = tonumber(ARGV[4])
			if available < quantity then
			    return 0
			end
			redis.call('DECRBY', KEYS[1], quantity)
			redis.call('XADD', KEYS[2], '*', 'bookingId', ARGV[1], 'eventId', ARGV[2], 'userId', ARGV[3],
			    'quantity', ARGV[4], 'acceptedAt', ARGV[5])
			redis.call('HSET', KEYS[3], ARGV[1], ARGV[6])
			return 1""";

	private final RedisLink redis;

	private final RedisKeys keys;

	public BookingProducer(RedisLink redis, RedisKeys keys) {
		this.redis = redis;
		this.keys = keys;
	}

	public void setInventory(long eventId, long tickets) {
		this.redis.sync().set(this.keys.inventory(eventId), Long.toString(tickets));
	}

	public long inventory(long eventId) {
		return Long.parseLong(this.redis.sync().get(this.keys.inventory(eventId)));
	}

	/** Accepts one booking of a new id; fails when the event is sold out. */
	public BookingEvent accept(long eventId, String userId, int quantity) {
		return acceptAll(List.of(booking(eventId, userId, quantity))).getFirst();
	}

	/** Accepts the bookings, pipelined; fails when an event sells out. */
	public List<BookingEvent> acceptAll(List<BookingEvent> bookings) {
		List<Map<String, String>> fields = bookings.stream().map(BookingStreamCodec::encode).toList();
		List<String> pending = bookings.stream().map(booking -> PendingBooking.of(booking).encode()).toList();
		acceptRaw(fields, pending);
		return bookings;
	}

	/**
	 * Accepts entries with raw fields, for entries that do not decode. Each needs the
	 * five fields; the pending value is written as given.
	 */
	public void acceptRaw(List<Map<String, String>> entries, List<String> pendingValues) {
		RedisClusterAsyncCommands<String, String> async = this.redis.async();
		List<RedisFuture<Long>> replies = new ArrayList<>();
		for (int i = 0; i < entries.size(); i++) {
			Map<String, String> fields = entries.get(i);
			long eventId = Long.parseLong(fields.get(BookingStreamCodec.EVENT_ID));
			String[] keys = { this.keys.inventory(eventId), this.keys.streamOfEvent(eventId),
					this.keys.pendingBookingsOfEvent(eventId) };
			replies.add(async.eval(SCRIPT, ScriptOutputType.INTEGER, keys, fields.get(BookingStreamCodec.BOOKING_ID),
					fields.get(BookingStreamCodec.EVENT_ID), fields.get(BookingStreamCodec.USER_ID),
					fields.get(BookingStreamCodec.QUANTITY), fields.get(BookingStreamCodec.ACCEPTED_AT),
					pendingValues.get(i)));
		}
		if (!LettuceFutures.awaitAll(60, TimeUnit.SECONDS, replies.toArray(RedisFuture[]::new))) {
			throw new IllegalStateException("Timed out accepting " + entries.size() + " bookings");
		}
		for (RedisFuture<Long> reply : replies) {
			if (reply.toCompletableFuture().join() != 1L) {
				throw new IllegalStateException("Event sold out while accepting test bookings");
			}
		}
	}

	public static BookingEvent booking(long eventId, String userId, int quantity) {
		return new BookingEvent(UUID.randomUUID(), eventId, userId, quantity, Instant.now());
	}

	/** Creates {@code count} bookings of 1 to 3 tickets, spread over the events. */
	public static List<BookingEvent> bookings(List<Long> eventIds, int count) {
		List<BookingEvent> bookings = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			bookings.add(booking(eventIds.get(i % eventIds.size()), "user-" + i, 1 + i % 3));
		}
		return bookings;
	}

}

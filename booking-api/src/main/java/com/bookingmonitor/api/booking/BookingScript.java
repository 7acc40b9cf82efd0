package com.bookingmonitor.api.booking;

import java.util.ArrayList;
import java.util.List;

import com.bookingmonitor.api.redis.LuaScript;
import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import org.jspecify.annotations.Nullable;

/**
 * Builds the keys and arguments of one booking script call and reads its reply. The
 * script itself is {@code scripts/booking.lua}.
 */
public final class BookingScript {

	/** Hash of each event's users to the tickets they booked, an event key suffix. */
	public static final String USER_TICKETS_SUFFIX = "user-tickets";

	static final String IDEMPOTENCY_SUFFIX_PREFIX = "idempotency:";

	public static final LuaScript SCRIPT = LuaScript.load("scripts/booking.lua");

	private final RedisKeys keys;

	private final int maxTicketsPerUser;

	private final long idempotencyTtlMillis;

	public BookingScript(RedisKeys keys, int maxTicketsPerUser, long idempotencyTtlMillis) {
		this.keys = keys;
		this.maxTicketsPerUser = maxTicketsPerUser;
		this.idempotencyTtlMillis = idempotencyTtlMillis;
	}

	int maxTicketsPerUser() {
		return this.maxTicketsPerUser;
	}

	/**
	 * Builds the call that books {@code booking}, claiming {@code idempotencyKey} when it
	 * is not null.
	 */
	public Call call(BookingEvent booking, @Nullable IdempotencyKey idempotencyKey) {
		long eventId = booking.eventId();
		List<String> callKeys = new ArrayList<>(5);
		callKeys.add(this.keys.inventory(eventId));
		callKeys.add(this.keys.eventKey(eventId, USER_TICKETS_SUFFIX));
		callKeys.add(this.keys.streamOfEvent(eventId));
		callKeys.add(this.keys.pendingBookingsOfEvent(eventId));
		if (idempotencyKey != null) {
			callKeys.add(idempotencyRedisKey(eventId, idempotencyKey));
		}
		String requestHash = (idempotencyKey != null) ? RequestHash.of(booking) : "";
		List<String> arguments = List.of(booking.bookingId().toString(), Long.toString(eventId), booking.userId(),
				Integer.toString(booking.quantity()), Long.toString(booking.acceptedAt().toEpochMilli()),
				PendingBooking.of(booking).encode(), Integer.toString(this.maxTicketsPerUser), requestHash,
				Long.toString(this.idempotencyTtlMillis));
		return new Call(List.copyOf(callKeys), arguments);
	}

	/**
	 * Builds a call that touches only keys no event uses, for health probes: its
	 * inventory key never exists, so the script returns {@code MISSING_INVENTORY} and
	 * writes nothing.
	 * @param partition the partition whose slot the probe runs in
	 */
	public Call probe(int partition) {
		// Events have positive ids; a negative id maps to the partition without ever
		// naming a real event.
		long probeEventId = partition - (long) this.keys.partitions();
		List<String> callKeys = List.of(this.keys.inventory(probeEventId),
				this.keys.eventKey(probeEventId, USER_TICKETS_SUFFIX), this.keys.stream(partition),
				this.keys.pendingBookings(partition));
		List<String> arguments = List.of("probe", Long.toString(probeEventId), "probe", "1", "0", "probe",
				Integer.toString(this.maxTicketsPerUser), "", "1");
		return new Call(callKeys, arguments);
	}

	String idempotencyRedisKey(long eventId, IdempotencyKey idempotencyKey) {
		return this.keys.eventKey(eventId, IDEMPOTENCY_SUFFIX_PREFIX + idempotencyKey.value());
	}

	/**
	 * Reads the script's reply.
	 * @throws IllegalStateException when the reply has another shape, which means the
	 * script and this class disagree
	 */
	public static Result parse(List<Object> reply) {
		if (reply == null || reply.size() != 2 || !(reply.get(0) instanceof String outcomeName)) {
			throw new IllegalStateException("Unexpected booking script reply " + reply);
		}
		Outcome outcome = Outcome.valueOf(outcomeName);
		Object value = reply.get(1);
		return switch (outcome) {
			case REPLAYED, IDEMPOTENCY_CONFLICT -> new Result(outcome, 0, String.valueOf(value));
			default -> new Result(outcome, ((Number) value).longValue(), null);
		};
	}

	/** Keys and arguments of one script call, in the script's order. */
	public record Call(List<String> keys, List<String> arguments) {

	}

	/** Outcome of one script call. */
	public enum Outcome {

		/** Booked; the value is the tickets left. */
		ACCEPTED,

		/**
		 * The idempotency key was claimed by an equal request; the id names its booking.
		 */
		REPLAYED,

		/** The idempotency key was claimed by a different request. */
		IDEMPOTENCY_CONFLICT,

		/**
		 * The event has fewer tickets left than requested; the value is the tickets left.
		 */
		SOLD_OUT,

		/**
		 * The user would exceed the per-user limit; the value is what the user booked.
		 */
		LIMIT_REACHED,

		/** The inventory key does not exist: an unknown event, or Redis lost the key. */
		MISSING_INVENTORY

	}

	/**
	 * The script's reply.
	 *
	 * @param outcome what the script did
	 * @param count tickets left or already booked, depending on the outcome
	 * @param bookingId the booking that claimed the idempotency key, for {@code REPLAYED}
	 * and {@code IDEMPOTENCY_CONFLICT}
	 */
	public record Result(Outcome outcome, long count, @Nullable String bookingId) {

	}

}

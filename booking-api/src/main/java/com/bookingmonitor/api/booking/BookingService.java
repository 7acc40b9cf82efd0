package com.bookingmonitor.api.booking;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import org.jspecify.annotations.Nullable;

import com.bookingmonitor.api.booking.BookingMetrics.Outcome;
import com.bookingmonitor.api.inventory.InventoryGauges;
import com.bookingmonitor.api.inventory.InventoryRebuilder;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.api.web.ApiProblem;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;
import com.bookingmonitor.common.BookingEvent;

/**
 * Books tickets: one booking script call, no database access, unless the event's
 * inventory key is missing. Every outcome is counted in {@link BookingMetrics}, and none
 * is logged.
 */
public class BookingService {

	private final BookingScript script;

	private final BookingScriptExecutor executor;

	private final SoldOutEvents soldOutEvents;

	private final InventoryRebuilder rebuilder;

	private final InventoryGauges gauges;

	private final BookingMetrics metrics;

	private final TimeBasedEpochGenerator bookingIds;

	private final Clock clock;

	BookingService(BookingScript script, BookingScriptExecutor executor, SoldOutEvents soldOutEvents,
			InventoryRebuilder rebuilder, InventoryGauges gauges, BookingMetrics metrics,
			TimeBasedEpochGenerator bookingIds, Clock clock) {
		this.script = script;
		this.executor = executor;
		this.soldOutEvents = soldOutEvents;
		this.rebuilder = rebuilder;
		this.gauges = gauges;
		this.metrics = metrics;
		this.bookingIds = bookingIds;
		this.clock = clock;
	}

	/**
	 * Books the request's tickets, or replays the booking that already claimed
	 * {@code idempotencyKey}. The expected rejections (sold out, limit reached, a
	 * conflicting idempotency key) are returned, not thrown: exception resolution cost a
	 * sold-out stampede 31% of booking-api's CPU.
	 * @throws ApiProblemException when Redis is unavailable or the event is unknown
	 */
	public BookingOutcome book(BookingRequest request, @Nullable IdempotencyKey idempotencyKey) {
		// A request with a key may replay a booking that took the last ticket, so it must
		// reach Redis.
		if (idempotencyKey == null && this.soldOutEvents.isSoldOut(request.eventId())) {
			this.metrics.count(Outcome.SOLD_OUT);
			return new Rejection(soldOut(request, 0));
		}
		BookingEvent booking = new BookingEvent(this.bookingIds.generate(), request.eventId(), request.userId(),
				request.quantity(), Instant.ofEpochMilli(this.clock.millis()));

		BookingScript.Result result = execute(booking, idempotencyKey);

		return switch (result.outcome()) {
			case ACCEPTED -> accepted(booking, result.count());
			case REPLAYED -> {
				this.metrics.count(Outcome.REPLAYED);
				yield new BookingResult(UUID.fromString(result.bookingId()), request, true);
			}
			case IDEMPOTENCY_CONFLICT -> {
				this.metrics.count(Outcome.CONFLICT);
				yield new Rejection(new ApiProblem(ProblemType.IDEMPOTENCY_KEY_CONFLICT,
						"Idempotency-Key was already used for booking " + result.bookingId()
								+ " with a different user or quantity; use a new key for a new request")
					.with("bookingId", String.valueOf(result.bookingId())));
			}
			case SOLD_OUT -> {
				if (result.count() == 0) {
					this.soldOutEvents.markSoldOut(request.eventId());
				}
				this.gauges.updateAvailable(request.eventId(), result.count());
				this.metrics.count(Outcome.SOLD_OUT);
				yield new Rejection(soldOut(request, result.count()));
			}
			case LIMIT_REACHED -> {
				this.metrics.count(Outcome.LIMIT_REACHED);
				yield new Rejection(new ApiProblem(ProblemType.USER_LIMIT_REACHED,
						"User has booked " + result.count() + " tickets for event " + request.eventId() + "; another "
								+ request.quantity() + " would pass the limit of " + this.script.maxTicketsPerUser())
					.with("eventId", request.eventId())
					.with("limit", this.script.maxTicketsPerUser()));
			}
			case MISSING_INVENTORY -> throw missingInventory(request.eventId());
		};
	}

	private BookingScript.Result execute(BookingEvent booking, @Nullable IdempotencyKey idempotencyKey) {
		try {
			return this.executor.execute(this.script.call(booking, idempotencyKey));
		}
		catch (RedisUnavailableException ex) {
			this.metrics.count(Outcome.UNAVAILABLE);
			if (!ex.outcomeUnknown()) {
				throw new ApiProblemException(ProblemType.SERVICE_UNAVAILABLE,
						"Redis is unavailable and the booking was not made; retry later", ex);
			}
			throw outcomeUnknown(booking, idempotencyKey != null, ex);
		}
	}

	private static ApiProblemException outcomeUnknown(BookingEvent booking, boolean hasKey, Exception cause) {
		String bookingId = booking.bookingId().toString();
		String next = hasKey ? "Retry with the same Idempotency-Key to get its outcome." : "GET /bookings/" + bookingId
				+ " shows whether it was made; a retry without an Idempotency-Key" + " books again.";
		String detail = "Redis did not confirm booking " + bookingId + " in time, so it may or may not be made. "
				+ next;
		return new ApiProblemException(ProblemType.OUTCOME_UNKNOWN, detail, cause).with("bookingId", bookingId);
	}

	private BookingResult accepted(BookingEvent booking, long remaining) {
		if (remaining == 0) {
			this.soldOutEvents.markSoldOut(booking.eventId());
		}
		this.gauges.updateAvailable(booking.eventId(), remaining);
		this.metrics.count(Outcome.ACCEPTED);
		return new BookingResult(booking.bookingId(), booking.eventId(), booking.userId(), booking.quantity(), false);
	}

	private RuntimeException missingInventory(long eventId) {
		try {
			ApiProblemException problem = this.rebuilder.missingInventory(eventId);
			this.metrics
				.count((problem.type() == ProblemType.EVENT_NOT_FOUND) ? Outcome.NOT_FOUND : Outcome.UNAVAILABLE);
			return problem;
		}
		catch (RuntimeException ex) {
			this.metrics.count(Outcome.UNAVAILABLE);
			throw ex;
		}
	}

	private static ApiProblem soldOut(BookingRequest request, long available) {
		return new ApiProblem(ProblemType.SOLD_OUT,
				"Event " + request.eventId() + " has " + available + " tickets left, fewer than the "
						+ request.quantity() + " requested")
			.with("eventId", request.eventId())
			.with("available", available);
	}

	/** Outcome of {@link #book}: a booking, or an expected rejection. */
	public sealed interface BookingOutcome permits BookingResult, Rejection {

	}

	/**
	 * An accepted or replayed booking.
	 *
	 * @param replayed whether an earlier request with the same idempotency key made it
	 */
	public record BookingResult(UUID bookingId, long eventId, String userId, int quantity,
			boolean replayed) implements BookingOutcome {

		BookingResult(UUID bookingId, BookingRequest request, boolean replayed) {
			this(bookingId, request.eventId(), request.userId(), request.quantity(), replayed);
		}

	}

	/** A booking that was not made, for a reason the client can act on. */
	public record Rejection(ApiProblem problem) implements BookingOutcome {

	}

}

package com.bookingmonitor.api.baseline;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.bookingmonitor.api.booking.BookingRequest;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Books tickets in PostgreSQL alone, in one transaction: a conditional UPDATE of the
 * event's remaining tickets, then the INSERT of the booking. Every booking of an event
 * locks the same row until its commit, which is what limits this design.
 * <p>
 * Unlike the Redis path it checks neither the per-user limit nor an idempotency key, so
 * each booking does less work than one of {@code POST /book}.
 */
class BaselineBookings {

	static final String CREATE_TABLES = """
			CREATE TABLE IF NOT EXISTS baseline_inventory (
			    event_id  BIGINT  PRIMARY KEY REFERENCES events (id),
			    available INTEGER NOT NULL CHECK (available >= 0)
			);
			CREATE TABLE IF NOT EXISTS baseline_bookings (
			    id          UUID        PRIMARY KEY,
			    event_id    BIGINT      NOT NULL REFERENCES baseline_inventory (event_id),
			    user_id     VARCHAR(64) NOT NULL,
			    quantity    INTEGER     NOT NULL,
			    accepted_at TIMESTAMPTZ NOT NULL
			)""";

	private static final String TAKE_TICKETS = """
			UPDATE baseline_inventory SET available = available - ?
			WHERE event_id = ? AND available >= ?""";

	private static final String INSERT_BOOKING = """
			INSERT INTO baseline_bookings (id, event_id, user_id, quantity, accepted_at)
			VALUES (?, ?, ?, ?, ?)""";

	/**
	 * Copies an event's capacity on its first booking, because {@code POST /events} does
	 * not write this table.
	 */
	private static final String ADD_INVENTORY = """
			INSERT INTO baseline_inventory (event_id, available)
			SELECT id, capacity FROM events WHERE id = ?
			ON CONFLICT (event_id) DO NOTHING""";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	BaselineBookings(JdbcTemplate jdbc, TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/**
	 * Books the request's tickets under {@code bookingId}.
	 * @throws ApiProblemException when the event does not exist or has too few tickets
	 * left
	 */
	void book(UUID bookingId, BookingRequest request, Instant acceptedAt) {
		Boolean booked = this.transactions.execute((status) -> {
			if (!takeTickets(request)) {
				return false;
			}
			this.jdbc.update(INSERT_BOOKING, bookingId, request.eventId(), request.userId(), request.quantity(),
					Timestamp.from(acceptedAt));
			return true;
		});
		if (!Boolean.TRUE.equals(booked)) {
			throw rejection(request);
		}
	}

	private boolean takeTickets(BookingRequest request) {
		if (update(request) == 1) {
			return true;
		}
		// No row yet, or too few tickets: add the row if the event exists and try once
		// more.
		return this.jdbc.update(ADD_INVENTORY, request.eventId()) == 1 && update(request) == 1;
	}

	private int update(BookingRequest request) {
		return this.jdbc.update(TAKE_TICKETS, request.quantity(), request.eventId(), request.quantity());
	}

	private ApiProblemException rejection(BookingRequest request) {
		List<Integer> available = this.jdbc.queryForList("SELECT available FROM baseline_inventory WHERE event_id = ?",
				Integer.class, request.eventId());
		if (available.isEmpty()) {
			return new ApiProblemException(ProblemType.EVENT_NOT_FOUND, "No event with id " + request.eventId())
				.with("eventId", request.eventId());
		}
		return new ApiProblemException(ProblemType.SOLD_OUT,
				"Event " + request.eventId() + " has " + available.getFirst() + " tickets left, fewer than the "
						+ request.quantity() + " requested")
			.with("eventId", request.eventId())
			.with("available", available.getFirst());
	}

}

package com.bookingmonitor.api.booking;

import java.util.UUID;

/** A booking as the API returns it. */
public record BookingView(UUID bookingId, long eventId, String userId, int quantity, Status status) {

	/** Booking state: accepted in Redis, or persisted in PostgreSQL. */
	public enum Status {

		PENDING, CONFIRMED

	}

}

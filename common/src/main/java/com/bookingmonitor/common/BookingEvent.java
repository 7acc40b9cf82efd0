package com.bookingmonitor.common;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A booking accepted by the booking script: the content of one stream entry.
 *
 * @param bookingId UUID version 7 made by the booking API
 * @param eventId id of the event the tickets are for
 * @param userId the buyer, 1 to {@value #MAX_USER_ID_LENGTH} characters
 * @param quantity tickets booked, {@value #MIN_QUANTITY} to {@value #MAX_QUANTITY}
 * @param acceptedAt when the booking API accepted the request, to the millisecond
 */
public record BookingEvent(UUID bookingId, long eventId, String userId, int quantity, Instant acceptedAt) {

	public static final int MAX_USER_ID_LENGTH = 64;

	public static final int MIN_QUANTITY = 1;

	public static final int MAX_QUANTITY = 10;

	public BookingEvent {
		Objects.requireNonNull(bookingId, "bookingId");
		Objects.requireNonNull(userId, "userId");
		Objects.requireNonNull(acceptedAt, "acceptedAt");
		if (eventId < 1) {
			throw new IllegalArgumentException("Invalid eventId " + eventId + ": expected a positive integer");
		}
		if (userId.isEmpty() || userId.length() > MAX_USER_ID_LENGTH) {
			throw new IllegalArgumentException("Invalid userId of length " + userId.length() + ": expected 1 to "
					+ MAX_USER_ID_LENGTH + " characters");
		}
		if (quantity < MIN_QUANTITY || quantity > MAX_QUANTITY) {
			throw new IllegalArgumentException(
					"Invalid quantity " + quantity + ": expected " + MIN_QUANTITY + " to " + MAX_QUANTITY);
		}
	}

}

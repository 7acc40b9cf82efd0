package com.bookingmonitor.common;

import java.time.Instant;
import java.util.Objects;

/**
 * The value kept in a partition's pending-bookings hash while a booking waits in the
 * stream. It lets {@code GET /bookings/{id}} report a pending booking and lets an
 * inventory rebuild count the tickets still in flight. Encoded as
 * {@code eventId|quantity|acceptedAtMillis|userId}, user id last because it may contain
 * the separator.
 */
public record PendingBooking(long eventId, int quantity, Instant acceptedAt, String userId) {

	public PendingBooking {
		Objects.requireNonNull(acceptedAt, "acceptedAt");
		Objects.requireNonNull(userId, "userId");
	}

	public static PendingBooking of(BookingEvent booking) {
		return new PendingBooking(booking.eventId(), booking.quantity(), booking.acceptedAt(), booking.userId());
	}

	public String encode() {
		return this.eventId + "|" + this.quantity + "|" + this.acceptedAt.toEpochMilli() + "|" + this.userId;
	}

	/**
	 * Decodes a value written by {@link #encode()}.
	 * @throws IllegalArgumentException when the value has another shape
	 */
	public static PendingBooking decode(String value) {
		String[] parts = value.split("\\|", 4);
		if (parts.length != 4) {
			throw new IllegalArgumentException(
					"Invalid pending booking value '" + value + "': expected eventId|quantity|acceptedAtMillis|userId");
		}
		try {
			return new PendingBooking(Long.parseLong(parts[0]), Integer.parseInt(parts[1]),
					Instant.ofEpochMilli(Long.parseLong(parts[2])), parts[3]);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Invalid pending booking value '" + value + "': " + ex.getMessage(), ex);
		}
	}

}

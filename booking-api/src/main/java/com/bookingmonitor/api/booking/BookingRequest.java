package com.bookingmonitor.api.booking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import com.bookingmonitor.common.BookingEvent;

/**
 * Body of {@code POST /book}. The user id may not contain control characters: PostgreSQL
 * rejects a NUL byte in text, so such a booking could be accepted but never persisted.
 */
public record BookingRequest(@NotNull @Positive Long eventId,
		@NotBlank @Size(max = BookingEvent.MAX_USER_ID_LENGTH) @Pattern(regexp = "\\P{Cntrl}*",
				message = "must not contain control characters") String userId,
		@NotNull @Min(BookingEvent.MIN_QUANTITY) @Max(BookingEvent.MAX_QUANTITY) Integer quantity) {

}

package com.bookingmonitor.api.booking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import com.bookingmonitor.common.BookingEvent;

/** Body of {@code POST /book}. */
public record BookingRequest(@NotNull @Positive Long eventId,
		@NotBlank @Size(max = BookingEvent.MAX_USER_ID_LENGTH) String userId,
		@NotNull @Min(BookingEvent.MIN_QUANTITY) @Max(BookingEvent.MAX_QUANTITY) Integer quantity) {

}

package com.bookingmonitor.api.event;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /events}; the limits match the {@code events} table. */
record CreateEventRequest(@NotBlank @Size(max = 200) String name, @NotNull @Positive Integer capacity) {

}

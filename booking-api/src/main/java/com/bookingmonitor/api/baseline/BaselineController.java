package com.bookingmonitor.api.baseline;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import jakarta.validation.Valid;

import com.bookingmonitor.api.booking.BookingRequest;
import com.bookingmonitor.api.booking.BookingView;
import com.bookingmonitor.api.booking.BookingView.Status;

import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The {@code POST /book} contract, request and response alike, served by PostgreSQL
 * alone, and a no-op with the same parsing and validation.
 */
@RestController
@Profile("baseline")
class BaselineController {

	private final BaselineBookings bookings;

	private final TimeBasedEpochGenerator bookingIds = Generators.timeBasedEpochGenerator();

	private final Clock clock = Clock.systemUTC();

	BaselineController(BaselineBookings bookings) {
		this.bookings = bookings;
	}

	@PostMapping("/baseline/book")
	ResponseEntity<BookingView> book(@Valid @RequestBody BookingRequest request) {
		UUID bookingId = this.bookingIds.generate();

		this.bookings.book(bookingId, request, Instant.ofEpochMilli(this.clock.millis()));

		return accepted(bookingId, request, Status.CONFIRMED);
	}

	/** Parses and validates like {@code POST /book}, then returns 202 without booking. */
	@PostMapping("/baseline/noop")
	ResponseEntity<BookingView> noop(@Valid @RequestBody BookingRequest request) {
		return accepted(this.bookingIds.generate(), request, Status.PENDING);
	}

	private static ResponseEntity<BookingView> accepted(UUID bookingId, BookingRequest request, Status status) {
		return ResponseEntity.accepted()
			.location(URI.create("/bookings/" + bookingId))
			.body(new BookingView(bookingId, request.eventId(), request.userId(), request.quantity(), status));
	}

}

package com.bookingmonitor.api.booking;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;

import com.bookingmonitor.api.booking.BookingService.BookingResult;
import com.bookingmonitor.api.booking.BookingService.Rejection;
import com.bookingmonitor.api.booking.BookingView.Status;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemResponses;
import com.bookingmonitor.api.web.ProblemType;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BookingController {

	static final String REPLAYED_HEADER = "Idempotent-Replayed";

	private final BookingService bookingService;

	private final BookingLookup bookingLookup;

	private final ProblemResponses problems;

	BookingController(BookingService bookingService, BookingLookup bookingLookup, ProblemResponses problems) {
		this.bookingService = bookingService;
		this.bookingLookup = bookingLookup;
		this.problems = problems;
	}

	@PostMapping("/book")
	ResponseEntity<?> book(@Valid @RequestBody BookingRequest request,
			@RequestHeader(name = IdempotencyKey.HEADER, required = false) @Nullable String idempotencyKey) {
		IdempotencyKey key = (idempotencyKey != null) ? new IdempotencyKey(idempotencyKey) : null;

		return switch (this.bookingService.book(request, key)) {
			case BookingResult booking -> accepted(booking);
			case Rejection rejection -> this.problems.respond(rejection.problem());
		};
	}

	private static ResponseEntity<BookingView> accepted(BookingResult booking) {
		ResponseEntity.BodyBuilder response = ResponseEntity.accepted()
			.location(URI.create("/bookings/" + booking.bookingId()));
		if (booking.replayed()) {
			response.header(REPLAYED_HEADER, "true");
		}
		return response.body(new BookingView(booking.bookingId(), booking.eventId(), booking.userId(),
				booking.quantity(), Status.PENDING));
	}

	@GetMapping("/bookings/{id}")
	BookingView booking(@PathVariable UUID id) {
		return this.bookingLookup.find(id)
			.orElseThrow(() -> new ApiProblemException(ProblemType.BOOKING_NOT_FOUND, "No booking with id " + id)
				.with("bookingId", id.toString()));
	}

}

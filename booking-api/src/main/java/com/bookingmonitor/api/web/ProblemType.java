package com.bookingmonitor.api.web;

import java.net.URI;

import org.springframework.http.HttpStatus;

/**
 * The kinds of error the API reports, each with a stable {@code type} URI. Clients may
 * switch on the type; the title and detail are for people. docs/api.md describes each.
 */
public enum ProblemType {

	INVALID_REQUEST("invalid-request", HttpStatus.BAD_REQUEST, "Invalid request"),

	UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Missing admin token"),

	FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Wrong admin token"),

	NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Resource not found"),

	EVENT_NOT_FOUND("event-not-found", HttpStatus.NOT_FOUND, "Event not found"),

	BOOKING_NOT_FOUND("booking-not-found", HttpStatus.NOT_FOUND, "Booking not found"),

	METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),

	NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),

	SOLD_OUT("sold-out", HttpStatus.CONFLICT, "Not enough tickets left"),

	USER_LIMIT_REACHED("user-limit-reached", HttpStatus.CONFLICT, "Per-user ticket limit reached"),

	PAYLOAD_TOO_LARGE("payload-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),

	UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),

	IDEMPOTENCY_KEY_CONFLICT("idempotency-key-conflict", HttpStatus.UNPROCESSABLE_CONTENT,
			"Idempotency key reused with a different request"),

	INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error"),

	SERVICE_UNAVAILABLE("service-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable"),

	OUTCOME_UNKNOWN("outcome-unknown", HttpStatus.SERVICE_UNAVAILABLE, "Booking outcome unknown"),

	INVENTORY_UNAVAILABLE("inventory-unavailable", HttpStatus.SERVICE_UNAVAILABLE, "Inventory being rebuilt");

	private static final String BASE_URI = "https://booking-monitor.example/problems/";

	private final URI type;

	private final HttpStatus status;

	private final String title;

	ProblemType(String slug, HttpStatus status, String title) {
		this.type = URI.create(BASE_URI + slug);
		this.status = status;
		this.title = title;
	}

	public URI type() {
		return this.type;
	}

	public HttpStatus status() {
		return this.status;
	}

	public String title() {
		return this.title;
	}

	/** Returns the generic type for a status that no specific type covers. */
	static ProblemType forStatus(int status) {
		return switch (status) {
			case 400 -> INVALID_REQUEST;
			case 404 -> NOT_FOUND;
			case 405 -> METHOD_NOT_ALLOWED;
			case 406 -> NOT_ACCEPTABLE;
			case 413 -> PAYLOAD_TOO_LARGE;
			case 415 -> UNSUPPORTED_MEDIA_TYPE;
			case 503 -> SERVICE_UNAVAILABLE;
			default -> INTERNAL_ERROR;
		};
	}

}

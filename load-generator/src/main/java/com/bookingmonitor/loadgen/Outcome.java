package com.bookingmonitor.loadgen;

/** Result of one {@code POST /book} request, as booking-api returned it. */
enum Outcome {

	/**
	 * 202: the tickets are reserved in Redis and the booking is on its way to PostgreSQL.
	 */
	ACCEPTED("accepted"),

	/** 409 with the sold-out problem type. */
	SOLD_OUT("sold out"),

	/** 409 with the per-user limit problem type. */
	LIMIT_REACHED("limit reached"),

	/** Any other 4xx, including a 409 of another problem type. */
	OTHER_CLIENT_ERROR("other 4xx"),

	/**
	 * 503: Redis or PostgreSQL was unavailable, or the booking's outcome is unknown. A
	 * retry with the same idempotency key is safe.
	 */
	UNAVAILABLE("503"),

	/** Any other 5xx, or a status outside the 2xx and 4xx ranges. */
	SERVER_ERROR("other 5xx"),

	/**
	 * The request failed or timed out before a response arrived. A retry with the same
	 * idempotency key is safe.
	 */
	IO_ERROR("I/O error");

	private final String label;

	Outcome(String label) {
		this.label = label;
	}

	String label() {
		return this.label;
	}

	boolean isError() {
		return this == UNAVAILABLE || this == SERVER_ERROR || this == IO_ERROR;
	}

	/** Whether a client may send the same booking again with the same idempotency key. */
	boolean isRetryable() {
		return this == UNAVAILABLE || this == IO_ERROR;
	}

}

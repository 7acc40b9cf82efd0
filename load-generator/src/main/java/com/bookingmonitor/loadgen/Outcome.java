package com.bookingmonitor.loadgen;

/** How booking-api responded to one {@code POST /book} request. */
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

	/** 5xx, or a status outside the 2xx and 4xx ranges. */
	SERVER_ERROR("5xx"),

	/** The request failed or timed out before a response arrived. */
	IO_ERROR("I/O error");

	private final String label;

	Outcome(String label) {
		this.label = label;
	}

	String label() {
		return this.label;
	}

	boolean isError() {
		return this == SERVER_ERROR || this == IO_ERROR;
	}

}

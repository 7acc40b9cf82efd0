package com.bookingmonitor.common;

/**
 * Thrown when a stream entry's fields do not decode to a booking: a missing field, a
 * field that does not parse, or a value out of range. Such an entry never becomes valid
 * on redelivery.
 */
public class InvalidStreamEntryException extends IllegalArgumentException {

	private final String field;

	public InvalidStreamEntryException(String field, String message, Throwable cause) {
		super(message, cause);
		this.field = field;
	}

	/** Name of the offending stream field. */
	public String field() {
		return this.field;
	}

}

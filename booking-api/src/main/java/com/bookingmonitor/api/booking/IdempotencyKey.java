package com.bookingmonitor.api.booking;

import com.bookingmonitor.api.web.InvalidRequestException;

/**
 * The value of an {@code Idempotency-Key} request header: 1 to {@value #MAX_LENGTH}
 * printable ASCII characters (space to tilde).
 */
public record IdempotencyKey(String value) {

	public static final String HEADER = "Idempotency-Key";

	public static final int MAX_LENGTH = 128;

	public IdempotencyKey {
		if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
			throw new InvalidRequestException(HEADER, "must be 1 to " + MAX_LENGTH + " characters");
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < ' ' || c > '~') {
				throw new InvalidRequestException(HEADER,
						"must contain printable ASCII only; character " + i + " is not");
			}
		}
	}

}

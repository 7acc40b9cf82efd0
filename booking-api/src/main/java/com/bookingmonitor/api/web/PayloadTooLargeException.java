package com.bookingmonitor.api.web;

import java.io.IOException;

/**
 * Thrown while a request body is read once it exceeds the limit. It is an
 * {@link IOException} because the body's input stream throws it; the JSON reader passes
 * it on as the cause of its own error.
 */
class PayloadTooLargeException extends IOException {

	private final long limitBytes;

	PayloadTooLargeException(long limitBytes) {
		super("Request body exceeds " + limitBytes + " bytes");
		this.limitBytes = limitBytes;
	}

	long limitBytes() {
		return this.limitBytes;
	}

}

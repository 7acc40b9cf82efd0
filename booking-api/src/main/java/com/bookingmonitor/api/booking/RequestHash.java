package com.bookingmonitor.api.booking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

import com.bookingmonitor.common.BookingEvent;

/**
 * Fingerprint of a booking request that an idempotency key stores, so that a replay can
 * be distinguished from a different request with the same key. It covers the parsed
 * fields, not the raw body, so that JSON spacing and field order do not matter.
 */
final class RequestHash {

	/** 128 bits of SHA-256: collisions are out of reach and the key stays small. */
	private static final int HASH_BYTES = 16;

	private RequestHash() {
	}

	/** Returns 22 base64url characters. */
	static String of(BookingEvent booking) {
		String canonical = booking.eventId() + "\n" + booking.quantity() + "\n" + booking.userId();
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, HASH_BYTES));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

}

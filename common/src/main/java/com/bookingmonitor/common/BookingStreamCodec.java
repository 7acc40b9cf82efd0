package com.bookingmonitor.common;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Converts a {@link BookingEvent} to and from the fields of a Redis stream entry.
 *
 * <p>
 * The booking script writes the fields in this order with these names, from its
 * arguments; change both together. {@code acceptedAt} is epoch milliseconds.
 */
public final class BookingStreamCodec {

	public static final String BOOKING_ID = "bookingId";

	public static final String EVENT_ID = "eventId";

	public static final String USER_ID = "userId";

	public static final String QUANTITY = "quantity";

	public static final String ACCEPTED_AT = "acceptedAt";

	private BookingStreamCodec() {
	}

	public static Map<String, String> encode(BookingEvent booking) {
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put(BOOKING_ID, booking.bookingId().toString());
		fields.put(EVENT_ID, Long.toString(booking.eventId()));
		fields.put(USER_ID, booking.userId());
		fields.put(QUANTITY, Integer.toString(booking.quantity()));
		fields.put(ACCEPTED_AT, Long.toString(booking.acceptedAt().toEpochMilli()));
		return fields;
	}

	/**
	 * Decodes the fields of one stream entry.
	 * @throws InvalidStreamEntryException naming the field when the entry is not a valid
	 * booking
	 */
	public static BookingEvent decode(Map<String, String> fields) {
		UUID bookingId = parse(fields, BOOKING_ID, UUID::fromString);
		long eventId = parse(fields, EVENT_ID, Long::parseLong);
		String userId = required(fields, USER_ID);
		int quantity = parse(fields, QUANTITY, Integer::parseInt);
		Instant acceptedAt = parse(fields, ACCEPTED_AT, value -> Instant.ofEpochMilli(Long.parseLong(value)));
		try {
			return new BookingEvent(bookingId, eventId, userId, quantity, acceptedAt);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidStreamEntryException(fieldNamedIn(ex.getMessage()), ex.getMessage(), ex);
		}
	}

	private static String required(Map<String, String> fields, String name) {
		String value = fields.get(name);
		if (value == null) {
			throw new InvalidStreamEntryException(name, "Missing stream field '" + name + "'", null);
		}
		return value;
	}

	private static <T> T parse(Map<String, String> fields, String name, Parser<T> parser) {
		String value = required(fields, name);
		try {
			return parser.parse(value);
		}
		catch (RuntimeException ex) {
			throw new InvalidStreamEntryException(name, "Invalid stream field '" + name + "': '" + abbreviate(value)
					+ "' does not parse (" + ex.getClass().getSimpleName() + ")", ex);
		}
	}

	private static String fieldNamedIn(String message) {
		for (String name : new String[] { EVENT_ID, USER_ID, QUANTITY }) {
			if (message != null && message.contains(name)) {
				return name;
			}
		}
		return "unknown";
	}

	private static String abbreviate(String value) {
		return (value.length() <= 80) ? value : value.substring(0, 80) + "...";
	}

	@FunctionalInterface
	private interface Parser<T> {

		T parse(String value);

	}

}

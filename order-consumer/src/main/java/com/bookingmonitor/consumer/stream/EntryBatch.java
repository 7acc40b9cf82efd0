package com.bookingmonitor.consumer.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.StreamMessage;

import com.bookingmonitor.common.BookingStreamCodec;
import com.bookingmonitor.common.InvalidStreamEntryException;
import com.bookingmonitor.consumer.persistence.BookingRow;

/**
 * A batch of stream entries sorted by what the consumer does with them.
 *
 * @param rows entries that decode to bookings
 * @param undecodable entries that do not decode: dead letters at once
 * @param deletedIds ids of entries deleted from the stream while pending, which Redis
 * returns with no fields
 */
record EntryBatch(List<BookingRow> rows, List<Undecodable> undecodable, List<String> deletedIds) {

	static EntryBatch of(List<StreamMessage<String, String>> entries) {
		List<BookingRow> rows = new ArrayList<>(entries.size());
		List<Undecodable> undecodable = new ArrayList<>();
		List<String> deletedIds = new ArrayList<>();
		for (StreamMessage<String, String> entry : entries) {
			Map<String, String> fields = entry.getBody();
			if (fields == null || fields.isEmpty()) {
				deletedIds.add(entry.getId());
				continue;
			}
			try {
				rows.add(new BookingRow(entry.getId(), BookingStreamCodec.decode(fields)));
			}
			catch (InvalidStreamEntryException ex) {
				undecodable.add(new Undecodable(entry.getId(), bookingIdOf(fields), fields, ex.getMessage()));
			}
		}
		return new EntryBatch(rows, undecodable, deletedIds);
	}

	private static UUID bookingIdOf(Map<String, String> fields) {
		String value = fields.get(BookingStreamCodec.BOOKING_ID);
		if (value == null) {
			return null;
		}
		try {
			return UUID.fromString(value);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * An entry that does not decode.
	 *
	 * @param entryId the stream entry id
	 * @param bookingId its booking id when that field parses, otherwise null
	 * @param fields its raw fields
	 * @param error why it does not decode
	 */
	record Undecodable(String entryId, UUID bookingId, Map<String, String> fields, String error) {

	}

}

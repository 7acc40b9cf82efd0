package com.bookingmonitor.consumer.persistence;

import java.util.Map;
import java.util.UUID;

/**
 * A stream entry that cannot become a booking.
 *
 * @param streamKey the partition stream the entry is in
 * @param entryId the stream entry id
 * @param bookingId the entry's booking id when that field parses, otherwise null
 * @param fields the entry's raw fields
 * @param error why the entry was dead-lettered
 * @param deliveryCount how often the consumer group delivered the entry
 */
public record DeadLetter(String streamKey, String entryId, UUID bookingId, Map<String, String> fields, String error,
		long deliveryCount) {

}

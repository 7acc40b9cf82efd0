package com.bookingmonitor.consumer.persistence;

import com.bookingmonitor.common.BookingEvent;

/**
 * A booking decoded from a stream entry, on its way to the {@code bookings} table.
 *
 * @param entryId id of the stream entry that carried the booking
 * @param booking the decoded booking
 */
public record BookingRow(String entryId, BookingEvent booking) {

}

package com.bookingmonitor.consumer.persistence;

import java.util.List;

/**
 * Outcome of inserting one batch of bookings, committed in one transaction.
 *
 * @param inserted rows that were new
 * @param duplicates rows whose booking id was already in {@code bookings}
 * @param failed rows that failed on their data and were left out of the commit
 */
public record InsertResult(List<BookingRow> inserted, List<BookingRow> duplicates, List<FailedRow> failed) {

	/**
	 * A row that failed on its own data.
	 *
	 * @param row the row
	 * @param sqlState the SQLState of the error
	 * @param message the database's error message
	 */
	public record FailedRow(BookingRow row, String sqlState, String message) {

	}

}

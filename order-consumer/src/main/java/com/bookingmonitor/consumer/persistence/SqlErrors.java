package com.bookingmonitor.consumer.persistence;

import java.sql.SQLException;

/** Classifies SQL errors into data errors of the rows and failures of the database. */
public final class SqlErrors {

	private SqlErrors() {
	}

	/**
	 * Returns whether the error lies in the rows themselves, so the same rows fail again
	 * on retry: SQLState class 22 (data exception, such as a value too long) or 23
	 * (integrity constraint violation, such as a missing event). Everything else, notably
	 * class 08 (connection exception), 53 (insufficient resources) and 57 (operator
	 * intervention, such as a shutdown), is a failure of the database to retry later.
	 */
	public static boolean isDataError(SQLException ex) {
		String state = ex.getSQLState();
		return state != null && (state.startsWith("22") || state.startsWith("23"));
	}

}

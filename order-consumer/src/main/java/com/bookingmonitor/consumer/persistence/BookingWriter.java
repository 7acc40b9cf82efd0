package com.bookingmonitor.consumer.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import com.bookingmonitor.common.BookingEvent;

/**
 * Inserts batches of bookings into PostgreSQL, each batch in one transaction.
 *
 * <p>
 * The primary key on the booking id makes a redelivered entry harmless:
 * {@code ON CONFLICT (id) DO NOTHING} skips it and the result reports it as a duplicate.
 * When the batch fails on the data of some rows, it is split in halves under savepoints
 * until the failing rows are isolated. The other rows are committed.
 */
public final class BookingWriter {

	// One statement of five arrays: its text does not depend on the batch size, and
	// RETURNING separates new rows from duplicates, which a rewritten JDBC batch cannot.
	private static final String INSERT_BOOKINGS = """
			INSERT INTO bookings (id, event_id, user_id, quantity, accepted_at)
			SELECT id, event_id, user_id, quantity, timestamptz 'epoch' + accepted_ms * interval '1 millisecond'
			FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::int[], ?::bigint[])
			    AS b (id, event_id, user_id, quantity, accepted_ms)
			ON CONFLICT (id) DO NOTHING
			RETURNING id""";

	private final DataSource dataSource;

	public BookingWriter(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Inserts the rows and commits every row that does not fail on its own data.
	 * @throws SQLException when the database fails for another reason, for example a lost
	 * connection. Nothing of the batch is committed then, unless the commit itself was
	 * under way.
	 */
	public InsertResult insert(List<BookingRow> rows) throws SQLException {
		if (rows.isEmpty()) {
			return new InsertResult(List.of(), List.of(), List.of());
		}
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try {
				Set<UUID> inserted = insertRows(connection, rows);
				connection.commit();
				return result(rows, inserted, List.of());
			}
			catch (SQLException ex) {
				rollbackAfter(connection, ex);
				if (!SqlErrors.isDataError(ex)) {
					throw ex;
				}
			}
			Set<UUID> inserted = new HashSet<>();
			List<InsertResult.FailedRow> failed = new ArrayList<>();
			try {
				isolate(connection, rows, inserted, failed);
				connection.commit();
			}
			catch (SQLException ex) {
				rollbackAfter(connection, ex);
				throw ex;
			}
			return result(rows, inserted, failed);
		}
	}

	private void isolate(Connection connection, List<BookingRow> rows, Set<UUID> inserted,
			List<InsertResult.FailedRow> failed) throws SQLException {
		Savepoint savepoint = connection.setSavepoint();
		try {
			inserted.addAll(insertRows(connection, rows));
			connection.releaseSavepoint(savepoint);
		}
		catch (SQLException ex) {
			if (!SqlErrors.isDataError(ex)) {
				throw ex;
			}
			connection.rollback(savepoint);
			if (rows.size() == 1) {
				failed.add(new InsertResult.FailedRow(rows.getFirst(), ex.getSQLState(), ex.getMessage()));
				return;
			}
			int middle = rows.size() / 2;
			isolate(connection, rows.subList(0, middle), inserted, failed);
			isolate(connection, rows.subList(middle, rows.size()), inserted, failed);
		}
	}

	private static Set<UUID> insertRows(Connection connection, List<BookingRow> rows) throws SQLException {
		int size = rows.size();
		UUID[] ids = new UUID[size];
		Long[] eventIds = new Long[size];
		String[] userIds = new String[size];
		Integer[] quantities = new Integer[size];
		Long[] acceptedMillis = new Long[size];
		for (int i = 0; i < size; i++) {
			BookingEvent booking = rows.get(i).booking();
			ids[i] = booking.bookingId();
			eventIds[i] = booking.eventId();
			userIds[i] = booking.userId();
			quantities[i] = booking.quantity();
			acceptedMillis[i] = booking.acceptedAt().toEpochMilli();
		}
		try (PreparedStatement statement = connection.prepareStatement(INSERT_BOOKINGS)) {
			statement.setArray(1, array(connection, "uuid", ids));
			statement.setArray(2, array(connection, "int8", eventIds));
			statement.setArray(3, array(connection, "text", userIds));
			statement.setArray(4, array(connection, "int4", quantities));
			statement.setArray(5, array(connection, "int8", acceptedMillis));
			Set<UUID> inserted = new HashSet<>(size * 2);
			try (ResultSet resultSet = statement.executeQuery()) {
				while (resultSet.next()) {
					inserted.add(resultSet.getObject(1, UUID.class));
				}
			}
			return inserted;
		}
	}

	private static Array array(Connection connection, String type, Object[] values) throws SQLException {
		return connection.createArrayOf(type, values);
	}

	private static InsertResult result(List<BookingRow> rows, Set<UUID> insertedIds,
			List<InsertResult.FailedRow> failed) {
		Set<String> failedEntries = new HashSet<>();
		failed.forEach(row -> failedEntries.add(row.row().entryId()));
		Set<UUID> unclaimed = new HashSet<>(insertedIds);
		List<BookingRow> inserted = new ArrayList<>(insertedIds.size());
		List<BookingRow> duplicates = new ArrayList<>();
		for (BookingRow row : rows) {
			if (failedEntries.contains(row.entryId())) {
				continue;
			}
			// The same booking id twice in one batch inserts once; the second is a
			// duplicate.
			if (unclaimed.remove(row.booking().bookingId())) {
				inserted.add(row);
			}
			else {
				duplicates.add(row);
			}
		}
		return new InsertResult(inserted, duplicates, failed);
	}

	static void rollbackAfter(Connection connection, SQLException failure) {
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			failure.addSuppressed(ex);
		}
	}

}

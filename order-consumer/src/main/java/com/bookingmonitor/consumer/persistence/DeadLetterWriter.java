package com.bookingmonitor.consumer.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Writes dead letters to the {@code dead_letters} table. The primary key on stream and
 * entry id makes a redelivered dead letter harmless: it only updates the error, the
 * delivery count and {@code last_seen_at}.
 */
public final class DeadLetterWriter {

	private static final String SELECT_BOOKED = "SELECT id FROM bookings WHERE id = ANY (?::uuid[])";

	private static final String UPSERT_DEAD_LETTER = """
			INSERT INTO dead_letters (stream_key, entry_id, booking_id, fields, error, delivery_count)
			VALUES (?, ?, ?, jsonb_object(?::text[], ?::text[]), ?, ?)
			ON CONFLICT (stream_key, entry_id) DO UPDATE
			SET error = EXCLUDED.error, delivery_count = EXCLUDED.delivery_count, last_seen_at = now()""";

	private final DataSource dataSource;

	public DeadLetterWriter(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Writes the dead letters in one transaction.
	 * @return the booking ids among the dead letters that are already in
	 * {@code bookings}: their tickets are sold and must not return to the inventory
	 */
	public Set<UUID> write(List<DeadLetter> deadLetters) throws SQLException {
		if (deadLetters.isEmpty()) {
			return Set.of();
		}
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try {
				Set<UUID> booked = selectBooked(connection, deadLetters);
				upsert(connection, deadLetters);
				connection.commit();
				return booked;
			}
			catch (SQLException ex) {
				BookingWriter.rollbackAfter(connection, ex);
				throw ex;
			}
		}
	}

	private static Set<UUID> selectBooked(Connection connection, List<DeadLetter> deadLetters) throws SQLException {
		UUID[] ids = deadLetters.stream().map(DeadLetter::bookingId).filter(Objects::nonNull).toArray(UUID[]::new);
		Set<UUID> booked = new HashSet<>();
		if (ids.length == 0) {
			return booked;
		}
		try (PreparedStatement statement = connection.prepareStatement(SELECT_BOOKED)) {
			statement.setArray(1, connection.createArrayOf("uuid", ids));
			try (ResultSet resultSet = statement.executeQuery()) {
				while (resultSet.next()) {
					booked.add(resultSet.getObject(1, UUID.class));
				}
			}
		}
		return booked;
	}

	private static void upsert(Connection connection, List<DeadLetter> deadLetters) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(UPSERT_DEAD_LETTER)) {
			for (DeadLetter deadLetter : deadLetters) {
				List<String> names = new ArrayList<>();
				List<String> values = new ArrayList<>();
				for (Map.Entry<String, String> field : deadLetter.fields().entrySet()) {
					names.add(text(field.getKey()));
					values.add(text(field.getValue()));
				}
				statement.setString(1, deadLetter.streamKey());
				statement.setString(2, deadLetter.entryId());
				if (deadLetter.bookingId() != null) {
					statement.setObject(3, deadLetter.bookingId());
				}
				else {
					statement.setNull(3, Types.OTHER);
				}
				statement.setArray(4, connection.createArrayOf("text", names.toArray()));
				statement.setArray(5, connection.createArrayOf("text", values.toArray()));
				statement.setString(6, text(deadLetter.error()));
				statement.setLong(7, deadLetter.deliveryCount());
				statement.addBatch();
			}
			statement.executeBatch();
		}
	}

	/**
	 * Escapes NUL characters, which PostgreSQL text cannot store, so the NUL bytes that
	 * made a row fail do not make its dead letter fail too.
	 */
	private static String text(String value) {
		return (value != null) ? value.replace("\u0000", "\\u0000") : null;
	}

}

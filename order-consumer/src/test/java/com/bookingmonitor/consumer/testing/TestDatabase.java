package com.bookingmonitor.consumer.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import com.bookingmonitor.testsupport.PostgresDatabase;

/** A migrated test database with a pool, and the queries tests check results with. */
public final class TestDatabase implements AutoCloseable {

	private final PostgresDatabase database;

	private final HikariDataSource dataSource;

	private TestDatabase(PostgresDatabase database) {
		this.database = database;
		this.dataSource = new HikariDataSource();
		this.dataSource.setJdbcUrl(database.jdbcUrl());
		this.dataSource.setUsername(database.username());
		this.dataSource.setPassword(database.password());
		this.dataSource.setMaximumPoolSize(12);
		// Fail fast while a test has the server stopped.
		this.dataSource.setConnectionTimeout(2000);
		Flyway.configure().dataSource(this.dataSource).locations("classpath:db/migration").load().migrate();
	}

	public static TestDatabase create() {
		return new TestDatabase(PostgresDatabase.create());
	}

	public static TestDatabase on(PostgresDatabase database) {
		return new TestDatabase(database);
	}

	public DataSource dataSource() {
		return this.dataSource;
	}

	public PostgresDatabase database() {
		return this.database;
	}

	public long createEvent(int capacity) {
		return queryLong("INSERT INTO events (name, capacity) VALUES ('test event', " + capacity + ") RETURNING id");
	}

	public List<Long> createEvents(int count, int capacity) {
		List<Long> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ids.add(createEvent(capacity));
		}
		return ids;
	}

	/** Rows in {@code bookings} for the events, duplicates included. */
	public long bookingRows(List<Long> eventIds) {
		return queryLong("SELECT count(*) FROM bookings WHERE event_id = ANY ('{" + join(eventIds) + "}')");
	}

	/** Distinct booking ids in {@code bookings} for the events. */
	public List<String> bookingIds(List<Long> eventIds) {
		return queryStrings("SELECT id::text FROM bookings WHERE event_id = ANY ('{" + join(eventIds) + "}')");
	}

	public long tickets(List<Long> eventIds) {
		return queryLong(
				"SELECT coalesce(sum(quantity), 0) FROM bookings WHERE event_id = ANY ('{" + join(eventIds) + "}')");
	}

	public long deadLetters(String streamKey) {
		return queryLong("SELECT count(*) FROM dead_letters WHERE stream_key = '" + streamKey + "'");
	}

	public long queryLong(String sql) {
		try (Connection connection = this.dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet resultSet = statement.executeQuery(sql)) {
			resultSet.next();
			return resultSet.getLong(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Query failed: " + sql, ex);
		}
	}

	public List<String> queryStrings(String sql, Object... parameters) {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				statement.setObject(i + 1, parameters[i]);
			}
			List<String> values = new ArrayList<>();
			try (ResultSet resultSet = statement.executeQuery()) {
				while (resultSet.next()) {
					values.add(resultSet.getString(1));
				}
			}
			return values;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Query failed: " + sql, ex);
		}
	}

	@Override
	public void close() {
		this.dataSource.close();
		this.database.close();
	}

	private static String join(List<Long> ids) {
		return String.join(",", ids.stream().map(String::valueOf).toList());
	}

}

package com.bookingmonitor.api.event;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Events and their confirmed tickets in PostgreSQL. */
@Repository
public class EventRepository {

	private static final RowMapper<Event> EVENT = (row, number) -> new Event(row.getLong("id"), row.getString("name"),
			row.getInt("capacity"));

	private final JdbcClient jdbc;

	EventRepository(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Event insert(String name, int capacity) {
		long id = this.jdbc.sql("INSERT INTO events (name, capacity) VALUES (?, ?) RETURNING id")
			.params(name, capacity)
			.query(Long.class)
			.single();
		return new Event(id, name, capacity);
	}

	public Optional<Event> find(long id) {
		return this.jdbc.sql("SELECT id, name, capacity FROM events WHERE id = ?").param(id).query(EVENT).optional();
	}

	/** Returns the newest events, newest first. */
	public List<Event> newest(int limit) {
		return this.jdbc.sql("SELECT id, name, capacity FROM events ORDER BY id DESC LIMIT ?")
			.param(limit)
			.query(EVENT)
			.list();
	}

	public List<Event> all() {
		return this.jdbc.sql("SELECT id, name, capacity FROM events ORDER BY id").query(EVENT).list();
	}

	/** Returns the tickets of the event's bookings persisted by the consumer. */
	long confirmedTickets(long eventId) {
		return this.jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM bookings WHERE event_id = ?")
			.param(eventId)
			.query(Long.class)
			.single();
	}

}

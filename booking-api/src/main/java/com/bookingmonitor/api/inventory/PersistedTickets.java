package com.bookingmonitor.api.inventory;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tickets the consumer has persisted, read in one snapshot so that the totals and the
 * list of persisted in-flight bookings agree: a booking committed between two separate
 * reads would be counted twice or not at all.
 */
@Component
class PersistedTickets {

	private final JdbcClient jdbc;

	private final TransactionTemplate snapshot;

	PersistedTickets(JdbcClient jdbc, PlatformTransactionManager transactionManager) {
		this.jdbc = jdbc;
		this.snapshot = new TransactionTemplate(transactionManager);
		this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
		this.snapshot.setReadOnly(true);
	}

	/**
	 * Per-user tickets of one event, and which of the candidate bookings are persisted.
	 */
	ByUser byUser(long eventId, Collection<UUID> candidates) {
		return this.snapshot.execute((status) -> {
			Map<String, Long> perUser = new HashMap<>();
			this.jdbc.sql("SELECT user_id, SUM(quantity) AS tickets FROM bookings WHERE event_id = ? GROUP BY user_id")
				.param(eventId)
				.query((row) -> {
					perUser.put(row.getString("user_id"), row.getLong("tickets"));
				});
			return new ByUser(perUser, persistedAmong(candidates));
		});
	}

	/** Tickets per event, and which of the candidate bookings are persisted. */
	ByEvent byEvent(Collection<Long> eventIds, Collection<UUID> candidates) {
		return this.snapshot.execute((status) -> {
			Map<Long, Long> perEvent = new HashMap<>();
			this.jdbc.sql(
					"SELECT event_id, SUM(quantity) AS tickets FROM bookings WHERE event_id = ANY(?) GROUP BY event_id")
				.param(eventIds.toArray(Long[]::new))
				.query((row) -> {
					perEvent.put(row.getLong("event_id"), row.getLong("tickets"));
				});
			return new ByEvent(perEvent, persistedAmong(candidates));
		});
	}

	private Set<UUID> persistedAmong(Collection<UUID> candidates) {
		if (candidates.isEmpty()) {
			return Set.of();
		}
		return new HashSet<>(this.jdbc.sql("SELECT id FROM bookings WHERE id = ANY(?)")
			.param(candidates.toArray(UUID[]::new))
			.query(UUID.class)
			.list());
	}

	/**
	 * @param tickets persisted tickets by user id
	 * @param persisted the candidate booking ids found in {@code bookings}
	 */
	record ByUser(Map<String, Long> tickets, Set<UUID> persisted) {

		long total() {
			return this.tickets.values().stream().mapToLong(Long::longValue).sum();
		}

	}

	/**
	 * @param tickets persisted tickets by event id; events without bookings are absent
	 * @param persisted the candidate booking ids found in {@code bookings}
	 */
	record ByEvent(Map<Long, Long> tickets, Set<UUID> persisted) {

	}

}

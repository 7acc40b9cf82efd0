package com.bookingmonitor.consumer.persistence;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.consumer.testing.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;

class BookingWriterTests {

	private static TestDatabase database;

	private static BookingWriter writer;

	@BeforeAll
	static void createDatabase() {
		database = TestDatabase.create();
		writer = new BookingWriter(database.dataSource());
	}

	@AfterAll
	static void dropDatabase() {
		database.close();
	}

	@Test
	void batchInsertsEveryRowOnce() throws Exception {
		long eventId = database.createEvent(1000);
		List<BookingRow> rows = rows(eventId, 300);

		InsertResult result = writer.insert(rows);

		assertThat(result.inserted()).hasSize(300);
		assertThat(result.duplicates()).isEmpty();
		assertThat(result.failed()).isEmpty();
		assertThat(database.bookingRows(List.of(eventId))).isEqualTo(300);
	}

	@Test
	void rowsKeepTheirFields() throws Exception {
		long eventId = database.createEvent(10);
		Instant acceptedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		BookingEvent booking = new BookingEvent(UUID.randomUUID(), eventId, "user|with|bars", 4, acceptedAt);

		writer.insert(List.of(new BookingRow("1-1", booking)));

		List<String> stored = database.queryStrings(
				"SELECT concat_ws(',', event_id, user_id, quantity, status, (extract(epoch FROM accepted_at) * 1000)::bigint)"
						+ " FROM bookings WHERE id = ?",
				booking.bookingId());
		assertThat(stored).containsExactly(eventId + ",user|with|bars,4,CONFIRMED," + acceptedAt.toEpochMilli());
	}

	@Test
	void redeliveredRowsAreDuplicates() throws Exception {
		long eventId = database.createEvent(100);
		List<BookingRow> rows = rows(eventId, 20);
		writer.insert(rows.subList(0, 10));

		InsertResult result = writer.insert(rows);

		assertThat(result.inserted()).extracting(BookingRow::entryId)
			.containsExactlyElementsOf(rows.subList(10, 20).stream().map(BookingRow::entryId).toList());
		assertThat(result.duplicates()).hasSize(10);
		assertThat(database.bookingRows(List.of(eventId))).isEqualTo(20);
	}

	@Test
	void sameBookingTwiceInOneBatchInsertsOnce() throws Exception {
		long eventId = database.createEvent(10);
		BookingEvent booking = new BookingEvent(UUID.randomUUID(), eventId, "u", 1, Instant.now());

		InsertResult result = writer.insert(List.of(new BookingRow("1-1", booking), new BookingRow("2-1", booking)));

		assertThat(result.inserted()).extracting(BookingRow::entryId).containsExactly("1-1");
		assertThat(result.duplicates()).extracting(BookingRow::entryId).containsExactly("2-1");
		assertThat(database.bookingRows(List.of(eventId))).isEqualTo(1);
	}

	@Test
	void rowsFailingOnDataAreIsolated() throws Exception {
		long eventId = database.createEvent(1000);
		long missingEventId = eventId + 1_000_000;
		List<BookingRow> rows = new ArrayList<>(rows(eventId, 100));
		rows.set(17, row("17-0", missingEventId, "user", 1));
		rows.set(64, row("64-0", eventId, "user\u0000nul", 1));

		InsertResult result = writer.insert(rows);

		assertThat(result.inserted()).hasSize(98);
		assertThat(result.failed()).extracting(failed -> failed.row().entryId()).containsExactly("17-0", "64-0");
		assertThat(result.failed()).extracting(InsertResult.FailedRow::sqlState).containsExactly("23503", "22021");
		assertThat(database.bookingRows(List.of(eventId))).isEqualTo(98);
	}

	@Test
	void deadLettersReportAlreadyBookedIds() throws Exception {
		long eventId = database.createEvent(10);
		BookingRow persisted = row("1-1", eventId, "user", 2);
		writer.insert(List.of(persisted));
		DeadLetterWriter deadLetters = new DeadLetterWriter(database.dataSource());
		UUID unbooked = UUID.randomUUID();
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("bookingId", unbooked.toString());
		fields.put("userId", "nul\u0000byte");

		Set<UUID> booked = deadLetters.write(
				List.of(new DeadLetter("s-dl", "1-1", persisted.booking().bookingId(), Map.of("k", "v"), "failed", 5),
						new DeadLetter("s-dl", "2-1", unbooked, fields, "does not decode", 1),
						new DeadLetter("s-dl", "3-1", null, Map.of(), "no booking id", 1)));

		assertThat(booked).containsExactly(persisted.booking().bookingId());
		assertThat(database.deadLetters("s-dl")).isEqualTo(3);
		assertThat(database.queryStrings("SELECT fields ->> 'userId' FROM dead_letters WHERE entry_id = '2-1'"))
			.containsExactly("nul\\u0000byte");
	}

	@Test
	void redeliveredDeadLetterUpdatesLastSeen() throws Exception {
		DeadLetterWriter deadLetters = new DeadLetterWriter(database.dataSource());
		DeadLetter first = new DeadLetter("s-again", "5-1", null, Map.of("a", "1"), "first error", 1);
		deadLetters.write(List.of(first));

		deadLetters.write(List.of(new DeadLetter("s-again", "5-1", null, Map.of("a", "1"), "second error", 2)));

		assertThat(database.deadLetters("s-again")).isEqualTo(1);
		assertThat(database
			.queryStrings("SELECT concat_ws(',', error, delivery_count, last_seen_at > first_seen_at) FROM dead_letters"
					+ " WHERE stream_key = 's-again'"))
			.containsExactly("second error,2,t");
	}

	private static List<BookingRow> rows(long eventId, int count) {
		List<BookingRow> rows = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			rows.add(row(i + "-0", eventId, "user-" + i, 1 + i % 3));
		}
		return rows;
	}

	private static BookingRow row(String entryId, long eventId, String userId, int quantity) {
		return new BookingRow(entryId, new BookingEvent(UUID.randomUUID(), eventId, userId, quantity, Instant.now()));
	}

}

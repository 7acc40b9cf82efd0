package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.BookingStreamCodec;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.ConsumerProperties;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.ConsumerRun;
import com.bookingmonitor.consumer.testing.ConsumerSettings;
import com.bookingmonitor.consumer.testing.StreamState;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The consumer against a test-owned Redis and a fresh PostgreSQL database. Each test uses
 * its own key prefix and events, so tests share the servers without seeing each other's
 * data.
 */
class StreamConsumerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String GROUP = "booking-persisters";

	private static final AtomicInteger prefixes = new AtomicInteger();

	private static RedisServer redis;

	private static TestDatabase database;

	private static RedisClient client;

	private static RedisLink link;

	@BeforeAll
	static void startServers() {
		redis = RedisServer.start();
		database = TestDatabase.create();
		client = RedisClient.create();
		link = RedisLink.connect(client, RedisURI.create(redis.uri()));
	}

	@AfterAll
	static void stopServers() {
		link.close();
		client.shutdown();
		database.close();
		redis.close();
	}

	@Test
	void batchPersistedOnceAndAcknowledged() {
		RedisKeys keys = keys(4);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		List<Long> events = database.createEvents(4, 10_000);
		events.forEach(event -> producer.setInventory(event, 10_000));
		List<BookingEvent> bookings = producer.acceptAll(BookingProducer.bookings(events, 400));

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 400);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);

			assertThat(database.bookingIds(events))
				.containsExactlyInAnyOrderElementsOf(bookings.stream().map(b -> b.bookingId().toString()).toList());
			assertThat(consumer.count("consumer.bookings.persisted")).isEqualTo(400);
			assertThat(consumer.count("consumer.bookings.duplicates")).isZero();
			assertThat(consumer.count("consumer.entries.read")).isEqualTo(400);
			assertThat(totalInventory(producer, events)).isEqualTo(40_000 - database.tickets(events));
		}
	}

	@Test
	void backlogDrainsInFullBatches() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(10_000);
		producer.setInventory(event, 10_000);
		List<BookingEvent> bookings = producer.acceptAll(BookingProducer.bookings(List.of(event), 2000));

		// Every batch of the backlog is full, so each one's successor is read while it is
		// inserted.
		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys,
				ConsumerSettings.of("batch-size", "50"))) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 2000);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);

			assertThat(database.bookingIds(List.of(event)))
				.containsExactlyInAnyOrderElementsOf(bookings.stream().map(b -> b.bookingId().toString()).toList());
			assertThat(consumer.count("consumer.bookings.persisted")).isEqualTo(2000);
			assertThat(consumer.count("consumer.bookings.duplicates")).isZero();
			assertThat(consumer.count("consumer.entries.read")).isEqualTo(2000);
		}
	}

	@Test
	void redeliveredEntriesAreDuplicates() {
		RedisKeys keys = keys(2);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(1000);
		producer.setInventory(event, 1000);
		List<BookingEvent> bookings = producer.acceptAll(BookingProducer.bookings(List.of(event), 10));

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			await().atMost(TIMEOUT).until(() -> consumer.count("consumer.bookings.persisted") == 10);
			long inventory = producer.inventory(event);

			// XADD the same entries again, as a redelivery would bring them. The pending
			// field goes first, as the booking script writes both at once: a field
			// written
			// after the consumer acknowledged its entry would never be removed.
			for (BookingEvent booking : bookings) {
				link.sync()
					.hset(keys.pendingBookingsOfEvent(event), booking.bookingId().toString(),
							PendingBooking.of(booking).encode());
				link.sync().xadd(keys.streamOfEvent(event), BookingStreamCodec.encode(booking));
			}

			await().atMost(TIMEOUT).until(() -> consumer.count("consumer.bookings.duplicates") == 10);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(database.bookingRows(List.of(event))).isEqualTo(10);
			assertThat(consumer.count("consumer.bookings.persisted")).isEqualTo(10);
			assertThat(producer.inventory(event)).isEqualTo(inventory);
		}
	}

	@Test
	void malformedEntryIsDeadLettered() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(1000);
		producer.setInventory(event, 1000);
		List<BookingEvent> first = producer.acceptAll(BookingProducer.bookings(List.of(event), 25));
		UUID malformedId = UUID.randomUUID();
		String tooLongUser = "u".repeat(BookingEvent.MAX_USER_ID_LENGTH + 1);
		Map<String, String> malformed = new LinkedHashMap<>();
		malformed.put(BookingStreamCodec.BOOKING_ID, malformedId.toString());
		malformed.put(BookingStreamCodec.EVENT_ID, Long.toString(event));
		malformed.put(BookingStreamCodec.USER_ID, tooLongUser);
		malformed.put(BookingStreamCodec.QUANTITY, "3");
		malformed.put(BookingStreamCodec.ACCEPTED_AT, Long.toString(Instant.now().toEpochMilli()));
		producer.acceptRaw(List.of(malformed),
				List.of(new PendingBooking(event, 3, Instant.now(), tooLongUser).encode()));
		List<BookingEvent> second = producer.acceptAll(BookingProducer.bookings(List.of(event), 25));
		long validTickets = ticketsOf(first) + ticketsOf(second);

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 50);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);

			assertThat(database.deadLetters(keys.stream(0))).isEqualTo(1);
			assertThat(database.queryStrings("SELECT booking_id::text FROM dead_letters WHERE stream_key = ?",
					keys.stream(0)))
				.containsExactly(malformedId.toString());
			assertThat(consumer.count("consumer.entries.dead.lettered")).isEqualTo(1);
			assertThat(producer.inventory(event)).isEqualTo(1000 - validTickets);

			producer.acceptAll(BookingProducer.bookings(List.of(event), 10));
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 60);
		}
	}

	@Test
	void failingInsertDeadLetteredAfterMaxDeliveries() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100);
		// An event Redis sells but PostgreSQL does not know: its bookings violate the
		// foreign key on every delivery.
		long unknownEvent = event + 1_000_000;
		producer.setInventory(event, 100);
		producer.setInventory(unknownEvent, 100);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 5));
		BookingEvent failing = producer.accept(unknownEvent, "user", 4);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 5));
		ConsumerProperties settings = ConsumerSettings.of("max-deliveries", "3", "claim-min-idle", "100ms",
				"claim-interval", "100ms");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(() -> consumer.count("consumer.entries.dead.lettered") == 1);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);

			assertThat(database.bookingRows(List.of(event))).isEqualTo(10);
			assertThat(database.queryStrings(
					"SELECT concat_ws(',', booking_id, delivery_count >= 3, error LIKE '%23503%') FROM dead_letters"
							+ " WHERE stream_key = ?",
					keys.stream(0)))
				.containsExactly(failing.bookingId() + ",t,t");
			assertThat(producer.inventory(unknownEvent)).isEqualTo(100);
			assertThat(consumer.count("consumer.entries.claimed")).isGreaterThanOrEqualTo(2);
		}
	}

	@Test
	void deletedOwnPendingEntriesAreCounted() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100);
		producer.setInventory(event, 100);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 10));
		streams.createGroup(0);
		List<StreamMessage<String, String>> owned = streams.readAs("restarted-consumer", 0, 10);
		streams.delete(0, owned.get(2).getId(), owned.get(7).getId());
		ConsumerProperties settings = ConsumerSettings.of("name", "restarted-consumer");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0);

			assertThat(database.bookingRows(List.of(event))).isEqualTo(8);
			assertThat(consumer.count("consumer.entries.deleted")).isEqualTo(2);
			// The fields of a deleted entry are gone, so its pending booking cannot be
			// found.
			assertThat(streams.pendingBookings()).isEqualTo(2);
		}
	}

	@Test
	void deletedClaimedEntriesAreCounted() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100);
		producer.setInventory(event, 100);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 10));
		streams.createGroup(0);
		List<StreamMessage<String, String>> owned = streams.readAs("crashed-consumer", 0, 10);
		streams.delete(0, owned.get(0).getId(), owned.get(5).getId(), owned.get(9).getId());
		ConsumerProperties settings = ConsumerSettings.of("claim-min-idle", "50ms", "claim-interval", "100ms");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 7);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0);

			assertThat(consumer.count("consumer.entries.deleted")).isEqualTo(3);
			assertThat(consumer.count("consumer.entries.claimed")).isEqualTo(7);

			producer.acceptAll(BookingProducer.bookings(List.of(event), 5));
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 12);
		}
	}

	@Test
	void groupIsRecreatedAfterFlushall() {
		RedisKeys keys = keys(2);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		List<Long> events = database.createEvents(2, 1000);
		events.forEach(event -> producer.setInventory(event, 1000));
		producer.acceptAll(BookingProducer.bookings(events, 20));

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 20);

			link.sync().flushall();
			events.forEach(event -> producer.setInventory(event, 1000));
			producer.acceptAll(BookingProducer.bookings(events, 20));

			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 40);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(consumer.count("consumer.group.recreated")).isBetween(1.0, 2.0);
			assertThat(consumer.consumer().isConsuming()).isTrue();
		}
	}

	@Test
	void twoConsumersPersistEachBookingOnce() {
		RedisKeys keys = keys(4);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		List<Long> events = database.createEvents(8, 100_000);
		events.forEach(event -> producer.setInventory(event, 100_000));
		List<BookingEvent> bookings = BookingProducer.bookings(events, 10_000);

		try (ConsumerRun first = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of());
				ConsumerRun second = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			for (int from = 0; from < bookings.size(); from += 500) {
				producer.acceptAll(bookings.subList(from, from + 500));
			}

			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 10_000);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(database.bookingIds(events)).doesNotHaveDuplicates().hasSize(10_000);
			assertThat(first.count("consumer.bookings.persisted") + second.count("consumer.bookings.persisted"))
				.isEqualTo(10_000);
			assertThat(first.count("consumer.bookings.duplicates") + second.count("consumer.bookings.duplicates"))
				.isZero();
			assertThat(first.count("consumer.bookings.persisted")).isPositive();
			assertThat(second.count("consumer.bookings.persisted")).isPositive();
		}
	}

	@Test
	void trimmingKeepsStreamLengthBounded() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100_000);
		producer.setInventory(event, 100_000);
		ConsumerProperties settings = ConsumerSettings.of("trim-interval", "100ms");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			for (int round = 1; round <= 4; round++) {
				producer.acceptAll(BookingProducer.bookings(List.of(event), 1500));
				long persisted = round * 1500L;
				await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == persisted);

				// Approximate trimming removes whole stream nodes of 100 entries.
				await().atMost(TIMEOUT).until(() -> streams.streamLength(0) <= 200);
			}
			assertThat(streams.pendingEntries()).isZero();
		}
	}

	@Test
	void trimmingKeepsUnacknowledgedEntries() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(10_000);
		producer.setInventory(event, 10_000);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 300));
		streams.createGroup(0);
		streams.readAs("slow-consumer", 0, 300);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 700));

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 700);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 300);

			consumer.maintenance().trim();

			assertThat(streams.streamLength(0)).isEqualTo(1000);
		}
	}

	@Test
	void idleConsumersAreRemoved() {
		RedisKeys keys = keys(1);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100);
		producer.setInventory(event, 100);
		streams.createGroup(0);
		streams.createConsumer(0, "gone-consumer");
		producer.accept(event, "user", 1);
		streams.readAs("crashed-consumer", 0, 10);
		ConsumerProperties settings = ConsumerSettings.of("idle-consumer-removal", "1s", "claim-min-idle", "1h");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(() -> streams.consumers(0).containsKey(consumer.name()));

			await().atMost(TIMEOUT).until(() -> consumer.maintenance().removeIdleConsumers() == 1);

			assertThat(streams.consumers(0)).containsOnlyKeys(consumer.name(), "crashed-consumer");
			assertThat(streams.consumers(0)).containsEntry("crashed-consumer", 1L);
		}
	}

	@Test
	void gaugesDescribePartitionStreams() {
		RedisKeys keys = keys(2);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, GROUP);
		long event = database.createEvent(100);
		producer.setInventory(event, 100);
		int partition = keys.partitionOf(event);
		producer.acceptAll(BookingProducer.bookings(List.of(event), 6));
		streams.createGroup(partition);
		streams.readAs("crashed-consumer", partition, 2);
		ConsumerProperties settings = ConsumerSettings.of("claim-min-idle", "1h");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(() -> database.bookingRows(List.of(event)) == 4);

			consumer.maintenance().refreshStats();

			assertThat(consumer.gauge("consumer.stream.length", partition)).isEqualTo(6);
			assertThat(consumer.gauge("consumer.pending.entries", partition)).isEqualTo(2);
			assertThat(consumer.gauge("consumer.lag", partition)).isZero();
			assertThat(consumer.gauge("consumer.pending.oldest.age", partition)).isBetween(0.0, 60.0);
			assertThat(consumer.gauge("consumer.stream.length", 1 - partition)).isZero();
			assertThat(consumer.registry().get("consumer.running").gauge().value()).isEqualTo(1);
		}
	}

	@Test
	void stalledWorkerStopsConsumption() {
		RedisKeys keys = keys(2);
		BookingProducer producer = new BookingProducer(link, keys);
		long event = database.createEvent(100);
		producer.setInventory(event, 100);
		int partition = keys.partitionOf(event);
		ConsumerProperties settings = ConsumerSettings.of("fault.pause-at", "after-read", "block", "100ms",
				"backoff.initial", "50ms", "backoff.max", "100ms", "stall-timeout", "1s");

		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, settings)) {
			await().atMost(TIMEOUT).until(consumer.consumer()::isConsuming);

			producer.accept(event, "user", 1);

			await().atMost(TIMEOUT).until(() -> !consumer.consumer().isConsuming());
			assertThat(consumer.consumer().problems()).containsOnlyKeys(partition);
			assertThat(consumer.registry().get("consumer.running").gauge().value()).isZero();
		}
	}

	private static RedisKeys keys(int partitions) {
		return new RedisKeys("t" + prefixes.incrementAndGet(), partitions);
	}

	private static long totalInventory(BookingProducer producer, List<Long> events) {
		return events.stream().mapToLong(producer::inventory).sum();
	}

	private static long ticketsOf(List<BookingEvent> bookings) {
		return bookings.stream().mapToLong(BookingEvent::quantity).sum();
	}

}

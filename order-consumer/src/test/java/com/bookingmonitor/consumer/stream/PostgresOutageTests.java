package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.ConsumerRun;
import com.bookingmonitor.consumer.testing.ConsumerSettings;
import com.bookingmonitor.consumer.testing.StreamState;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.PostgresServer;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stops a test-owned PostgreSQL for about 10 seconds while bookings keep arriving: the
 * consumer acknowledges nothing it has not committed, backs off, and persists every
 * booking once when the database returns.
 */
class PostgresOutageTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	@Test
	void outageBookingsPersistedOnce() throws Exception {
		RedisKeys keys = new RedisKeys("outage", 4);
		List<BookingEvent> accepted = Collections.synchronizedList(new ArrayList<>());
		ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor();
		RedisClient client = RedisClient.create();
		try (PostgresServer postgres = PostgresServer.create();
				TestDatabase database = TestDatabase
					.on(PostgresDatabase.createOn(postgres.adminJdbcUrl(), "postgres", ""));
				RedisServer redis = RedisServer.start();
				RedisLink link = RedisLink.connect(client, RedisURI.create(redis.uri()))) {
			BookingProducer producer = new BookingProducer(link, keys);
			StreamState streams = new StreamState(link, keys, "booking-persisters");
			List<Long> events = database.createEvents(4, 1_000_000);
			events.forEach(event -> producer.setInventory(event, 1_000_000));
			ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys,
					ConsumerSettings.of("backoff.max", "1s"));
			// 20 bookings every 100 ms, about 200 a second, until the test stops them.
			arrivals.scheduleAtFixedRate(
					() -> accepted.addAll(producer.acceptAll(BookingProducer.bookings(events, 20))), 0, 100,
					TimeUnit.MILLISECONDS);
			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) >= 200);

			postgres.stop();
			int acceptedAtStop = accepted.size();
			await().atMost(TIMEOUT).until(() -> accepted.size() >= acceptedAtStop + 2000);
			assertThat(streams.pendingEntries()).isPositive();
			assertThat(consumer.consumer().isConsuming()).isTrue();
			postgres.start();

			int acceptedAtRestart = accepted.size();
			await().atMost(TIMEOUT).until(() -> accepted.size() >= acceptedAtRestart + 200);
			arrivals.shutdown();
			assertThat(arrivals.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

			// The test's own pool may take a moment to connect again, hence
			// ignoreExceptions.
			await().atMost(TIMEOUT).ignoreExceptions().until(() -> database.bookingRows(events) == accepted.size());
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(database.bookingIds(events))
				.containsExactlyInAnyOrderElementsOf(accepted.stream().map(b -> b.bookingId().toString()).toList());
			assertThat(consumer.count("consumer.bookings.persisted")).isEqualTo(accepted.size());
			consumer.close();
		}
		finally {
			arrivals.shutdownNow();
			client.shutdown();
		}
	}

}

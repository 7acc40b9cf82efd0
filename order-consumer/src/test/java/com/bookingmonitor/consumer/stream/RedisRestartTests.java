package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a Redis that keeps nothing on disk under a running consumer and starts it again
 * empty: the consumer reconnects, recreates the group and persists later bookings.
 */
class RedisRestartTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@Test
	void resumesAfterEmptyRedisRestart() {
		RedisKeys keys = new RedisKeys("restart", 2);
		RedisClient client = RedisClient.create();
		try (RedisServer redis = RedisServer.start(); TestDatabase database = TestDatabase.create()) {
			List<Long> events = database.createEvents(2, 10_000);
			List<BookingEvent> accepted = new ArrayList<>();
			try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys,
					ConsumerSettings.of("backoff.max", "500ms"))) {
				try (RedisLink link = RedisLink.connect(client, RedisURI.create(redis.uri()))) {
					BookingProducer producer = new BookingProducer(link, keys);
					events.forEach(event -> producer.setInventory(event, 10_000));
					accepted.addAll(producer.acceptAll(BookingProducer.bookings(events, 100)));
					await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 100);
				}

				redis.kill();
				redis.restart();

				try (RedisLink link = RedisLink.connect(client, RedisURI.create(redis.uri()))) {
					BookingProducer producer = new BookingProducer(link, keys);
					StreamState streams = new StreamState(link, keys, "booking-persisters");
					events.forEach(event -> producer.setInventory(event, 10_000));
					accepted.addAll(producer.acceptAll(BookingProducer.bookings(events, 100)));

					await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 200);
					await().atMost(TIMEOUT)
						.until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
					assertThat(database.bookingIds(events)).containsExactlyInAnyOrderElementsOf(
							accepted.stream().map(booking -> booking.bookingId().toString()).toList());
					assertThat(consumer.count("consumer.group.recreated")).isBetween(1.0, 2.0);
					assertThat(consumer.consumer().isConsuming()).isTrue();
				}
			}
		}
		finally {
			client.shutdown();
		}
	}

}

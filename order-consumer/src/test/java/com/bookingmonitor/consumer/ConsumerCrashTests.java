package com.bookingmonitor.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.ConsumerProcess;
import com.bookingmonitor.consumer.testing.StreamState;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills the consumer process with SIGKILL at the two points where a crash could lose or
 * duplicate a booking, then starts a consumer under a new name. Exactly the accepted
 * bookings must end up in PostgreSQL, once each, with no entry left pending.
 */
class ConsumerCrashTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	private static final int PARTITIONS = 4;

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
	void killAfterReadBeforeInsert() {
		crashAndRecover("after-read");
	}

	@Test
	void killAfterCommitBeforeAcknowledgement() {
		crashAndRecover("after-commit");
	}

	private void crashAndRecover(String pausePoint) {
		RedisKeys keys = new RedisKeys("crash-" + pausePoint, PARTITIONS);
		BookingProducer producer = new BookingProducer(link, keys);
		StreamState streams = new StreamState(link, keys, "booking-persisters");
		List<Long> events = database.createEvents(PARTITIONS, 10_000);
		events.forEach(event -> producer.setInventory(event, 10_000));
		List<BookingEvent> accepted = new ArrayList<>(producer.acceptAll(BookingProducer.bookings(events, 400)));

		// Batches of 50 are full, so each worker has also sent the read of its next batch
		// when it pauses, and the crash leaves those entries pending as well.
		try (ConsumerProcess crashing = ConsumerProcess.start(arguments(keys, "crashing-" + pausePoint,
				"--booking.consumer.fault.pause-at=" + pausePoint, "--booking.consumer.batch-size=50"))) {
			crashing.awaitLine("Fault injection: paused " + pausePoint, TIMEOUT);
			long committed = database.bookingRows(events);
			crashing.kill();

			assertThat(streams.pendingEntries()).isPositive();
			if (pausePoint.equals("after-read")) {
				assertThat(committed).isZero();
			}
			else {
				assertThat(committed).isPositive();
			}
		}

		try (ConsumerProcess recovering = ConsumerProcess.start(arguments(keys, "recovering-" + pausePoint,
				"--booking.consumer.claim-min-idle=500ms", "--booking.consumer.claim-interval=200ms"))) {
			accepted.addAll(producer.acceptAll(BookingProducer.bookings(events, 100)));

			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 500);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(database.bookingIds(events))
				.containsExactlyInAnyOrderElementsOf(accepted.stream().map(b -> b.bookingId().toString()).toList());

			int exitCode = recovering.stop();
			assertThat(recovering.output()).as("output of a consumer that exited with %d", exitCode)
				.anyMatch(line -> line.contains("Consumer stopped consumer=recovering"));
		}
	}

	private static List<String> arguments(RedisKeys keys, String name, String... extra) {
		List<String> arguments = new ArrayList<>(List.of("--spring.data.redis.port=" + redis.port(),
				"--spring.datasource.url=" + database.database().jdbcUrl(),
				"--spring.datasource.username=" + database.database().username(),
				"--spring.datasource.password=" + database.database().password(),
				"--booking.streams.key-prefix=" + keys.prefix(), "--booking.streams.partitions=" + keys.partitions(),
				"--booking.consumer.name=" + name));
		arguments.addAll(List.of(extra));
		return arguments;
	}

}

package com.bookingmonitor.consumer;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.persistence.BookingRow;
import com.bookingmonitor.consumer.persistence.BookingWriter;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.ConsumerRun;
import com.bookingmonitor.consumer.testing.ConsumerSettings;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import static org.awaitility.Awaitility.await;

/**
 * Measures the consumer; asserts nothing about speed. Not part of the test run: start it
 * with
 * {@code ./mvnw -pl order-consumer -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ConsumerBenchmark}.
 * It uses a test-owned Redis and a fresh database on the shared PostgreSQL, and prints
 * its results.
 */
class ConsumerBenchmark {

	private static final int PARTITIONS = 8;

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

	/** Drains a backlog of bookings written before the consumer starts, in rounds. */
	@Test
	void drainBacklog() {
		int backlog = Integer.getInteger("benchmark.backlog", 100_000);
		int rounds = Integer.getInteger("benchmark.rounds", 3);
		List<Double> rates = new ArrayList<>();
		for (int round = 1; round <= rounds; round++) {
			RedisKeys keys = new RedisKeys("drain" + round, PARTITIONS);
			BookingProducer producer = new BookingProducer(link, keys);
			List<Long> events = database.createEvents(PARTITIONS, 1_000_000);
			events.forEach(event -> producer.setInventory(event, 1_000_000));
			var bookings = BookingProducer.bookings(events, backlog);
			for (int from = 0; from < backlog; from += 2000) {
				producer.acceptAll(bookings.subList(from, Math.min(backlog, from + 2000)));
			}

			long start = System.nanoTime();
			try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys,
					ConsumerSettings.of("batch-size", System.getProperty("benchmark.batchSize", "1000")))) {
				await().atMost(Duration.ofMinutes(10))
					.pollInterval(Duration.ofMillis(50))
					.until(() -> consumer.count("consumer.bookings.persisted") >= backlog);
				double seconds = (System.nanoTime() - start) / 1e9;
				double rate = backlog / seconds;
				rates.add(rate);
				Timer insert = consumer.registry().get("consumer.insert").timer();
				System.out.printf(
						"drain round=%d bookings=%d seconds=%.2f rowsPerSecond=%.0f batches=%d"
								+ " meanInsertMs=%.1f%n",
						round, backlog, seconds, rate, insert.count(), insert.mean(TimeUnit.MILLISECONDS));
			}
		}
		System.out.printf("drain median rowsPerSecond=%.0f of %s%n", median(rates), rates);
	}

	/**
	 * Inserts batches of 500 bookings with {@link BookingWriter} alone, on one thread.
	 */
	@Test
	void insertOnly() throws Exception {
		int rows = Integer.getInteger("benchmark.backlog", 100_000);
		BookingWriter writer = new BookingWriter(database.dataSource());
		long event = database.createEvent(1_000_000);
		for (int round = 1; round <= 3; round++) {
			List<BookingRow> batch = new ArrayList<>();
			long start = System.nanoTime();
			for (int i = 0; i < rows; i++) {
				batch.add(new BookingRow(i + "-0", BookingProducer.booking(event, "user-" + i, 1)));
				if (batch.size() == 500) {
					writer.insert(batch);
					batch.clear();
				}
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			System.out.printf("insert round=%d rows=%d seconds=%.2f rowsPerSecond=%.0f%n", round, rows, seconds,
					rows / seconds);
		}
	}

	/**
	 * Accepts bookings at a steady rate while the consumer runs, and reports the
	 * accepted-to-persisted latency of the bookings accepted after a warm-up.
	 */
	@Test
	void endToEndLatencyAtSteadyRate() throws Exception {
		int perSecond = Integer.getInteger("benchmark.rate", 5000);
		Duration warmUp = Duration.ofSeconds(Integer.getInteger("benchmark.warmup", 15));
		Duration measured = Duration.ofSeconds(Integer.getInteger("benchmark.seconds", 30));
		RedisKeys keys = new RedisKeys("steady", PARTITIONS);
		BookingProducer producer = new BookingProducer(link, keys);
		List<Long> events = database.createEvents(PARTITIONS, 10_000_000);
		events.forEach(event -> producer.setInventory(event, 10_000_000));
		int perTick = perSecond / 100;
		AtomicLong accepted = new AtomicLong();
		ScheduledExecutorService arrivals = Executors.newSingleThreadScheduledExecutor();
		try (ConsumerRun consumer = ConsumerRun.start(redis.uri(), database, keys, ConsumerSettings.of())) {
			arrivals.scheduleAtFixedRate(() -> {
				producer.acceptAll(BookingProducer.bookings(events, perTick));
				accepted.addAndGet(perTick);
			}, 0, 10, TimeUnit.MILLISECONDS);
			await().pollDelay(warmUp).atMost(warmUp.plusSeconds(1)).until(() -> true);
			long acceptedBefore = accepted.get();
			Instant from = Instant.now();

			await().pollDelay(measured).atMost(measured.plusSeconds(1)).until(() -> true);
			Instant to = Instant.now();
			long acceptedDuring = accepted.get() - acceptedBefore;
			arrivals.shutdown();
			arrivals.awaitTermination(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofMinutes(2))
				.until(() -> consumer.count("consumer.bookings.persisted") >= accepted.get());

			// persisted_at is when the inserting transaction started, a few milliseconds
			// before its commit.
			String latencies = database
				.queryStrings(
						"SELECT concat_ws(' ', count(*), percentile_cont(ARRAY[0.5, 0.99, 0.999]) WITHIN GROUP"
								+ " (ORDER BY extract(epoch FROM persisted_at - accepted_at) * 1000))"
								+ " FROM bookings WHERE accepted_at >= ? AND accepted_at < ?",
						Timestamp.from(from), Timestamp.from(to))
				.getFirst();
			System.out.printf("steady target=%d/s accepted=%.0f/s rows and {p50,p99,p99.9} ms: %s%n", perSecond,
					acceptedDuring / (double) measured.toSeconds(), latencies);
		}
		finally {
			arrivals.shutdownNow();
		}
	}

	private static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

}

package com.bookingmonitor.consumer;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.cluster.RedisClusterClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.StreamState;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.RedisCluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application against a three-master Redis Cluster: every command and script of the
 * consumer, claims included, stays within one partition's hash slot.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RedisClusterConsumerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final RedisCluster cluster = RedisCluster.start(3);

	private static final TestDatabase database = TestDatabase.create();

	@Autowired
	private RedisKeys keys;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", cluster::seedNodes);
		registry.add("spring.datasource.url", () -> database.database().jdbcUrl());
		registry.add("spring.datasource.username", () -> database.database().username());
		registry.add("spring.datasource.password", () -> database.database().password());
		registry.add("booking.consumer.claim-min-idle", () -> "200ms");
		registry.add("booking.consumer.claim-interval", () -> "200ms");
	}

	/** Closes the servers with the context, after the consumer has stopped. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Servers {

		@Bean(destroyMethod = "close")
		RedisCluster testRedisCluster() {
			return cluster;
		}

		@Bean(destroyMethod = "close")
		TestDatabase testDatabase() {
			return database;
		}

	}

	@Test
	void persistsBookingsOfEveryPartition() {
		RedisClusterClient client = RedisClusterClient.create("redis://" + cluster.seedNodes().split(",")[0]);
		try (RedisLink link = RedisLink.connect(client, null)) {
			BookingProducer producer = new BookingProducer(link, this.keys);
			StreamState streams = new StreamState(link, this.keys, "booking-persisters");
			List<Long> events = database.createEvents(this.keys.partitions(), 10_000);
			events.forEach(event -> producer.setInventory(event, 10_000));
			await().atMost(TIMEOUT).ignoreExceptions().until(() -> streams.consumers(0).size() == 1);
			// Entries a consumer took and never acknowledged, for the claim to recover.
			producer.acceptAll(BookingProducer.bookings(events, 40));
			for (int partition = 0; partition < this.keys.partitions(); partition++) {
				streams.readAs("crashed-consumer", partition, 100);
			}

			List<BookingEvent> later = producer.acceptAll(BookingProducer.bookings(events, 160));

			await().atMost(TIMEOUT).until(() -> database.bookingRows(events) == 200);
			await().atMost(TIMEOUT).until(() -> streams.pendingEntries() == 0 && streams.pendingBookings() == 0);
			assertThat(database.bookingIds(events))
				.containsAll(later.stream().map(booking -> booking.bookingId().toString()).toList());
		}
		finally {
			client.shutdown();
		}
	}

}

package com.bookingmonitor.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.stream.StreamConsumer;
import com.bookingmonitor.consumer.testing.BookingProducer;
import com.bookingmonitor.consumer.testing.TestDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The application as deployed: Spring wiring, Flyway, health groups and metrics. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class OrderConsumerApplicationTests {

	private static final RedisServer redis = RedisServer.start();

	private static final TestDatabase database = TestDatabase.create();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisKeys keys;

	@Autowired
	private StreamConsumer consumer;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.port", redis::port);
		registry.add("spring.datasource.url", () -> database.database().jdbcUrl());
		registry.add("spring.datasource.username", () -> database.database().username());
		registry.add("spring.datasource.password", () -> database.database().password());
		registry.add("booking.consumer.stats-interval", () -> "200ms");
	}

	/**
	 * Closes the servers with the context, after the consumer has stopped, rather than in
	 * an {@code @AfterAll} method, which JUnit runs before Spring closes the context.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class Servers {

		@Bean(destroyMethod = "close")
		RedisServer testRedisServer() {
			return redis;
		}

		@Bean(destroyMethod = "close")
		TestDatabase testDatabase() {
			return database;
		}

	}

	@Test
	void persistsBookingsAndReportsThem() throws Exception {
		RedisClient client = RedisClient.create();
		try (RedisLink link = RedisLink.connect(client, RedisURI.create(redis.uri()))) {
			BookingProducer producer = new BookingProducer(link, this.keys);
			List<Long> events = database.createEvents(3, 1000);
			events.forEach(event -> producer.setInventory(event, 1000));

			producer.acceptAll(BookingProducer.bookings(events, 120));

			await().atMost(Duration.ofSeconds(60)).until(() -> database.bookingRows(events) == 120);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(get("/actuator/prometheus"))
					.contains("consumer_pending_entries{partition=\"0\"} 0.0"));
			String metrics = get("/actuator/prometheus");
			assertThat(metrics).contains("consumer_bookings_persisted_total 120.0");
			assertThat(metrics).contains("consumer_entries_read_total 120.0");
			assertThat(metrics).contains("consumer_end_to_end_seconds_bucket");
			assertThat(metrics).contains("consumer_insert_seconds_count");
			assertThat(metrics).contains("consumer_batch_size_count");
			assertThat(metrics).contains("consumer_running 1.0");
			assertThat(metrics).contains("consumer_lag{partition=\"7\"}");
			assertThat(metrics).contains("consumer_pending_oldest_age_seconds{partition=\"7\"}");
			assertThat(metrics).contains("consumer_stream_length{partition=\"7\"}");
			for (String counter : List.of("consumer_bookings_duplicates_total", "consumer_entries_dead_lettered_total",
					"consumer_entries_claimed_total", "consumer_entries_deleted_total",
					"consumer_group_recreated_total")) {
				assertThat(metrics).contains(counter + " 0.0");
			}
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void readinessIncludesConsumptionRedisAndDatabase() throws Exception {
		await().atMost(Duration.ofSeconds(30)).until(this.consumer::isConsuming);

		JsonNode readiness = json.readTree(get("/actuator/health/readiness"));

		assertThat(readiness.path("status").asString()).isEqualTo("UP");
		assertThat(readiness.path("components").propertyNames()).containsExactlyInAnyOrder("consumption", "db",
				"readinessState", "redis");
		assertThat(readiness.path("components").path("consumption").path("status").asString()).isEqualTo("UP");
		assertThat(json.readTree(get("/actuator/health/liveness")).path("status").asString()).isEqualTo("UP");
	}

	private String get(String path) throws Exception {
		HttpResponse<String> response = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

}

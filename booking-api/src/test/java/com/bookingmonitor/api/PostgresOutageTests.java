package com.bookingmonitor.api;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient.Response;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.PostgresServer;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hot path without PostgreSQL: with the test's own PostgreSQL stopped, bookings are
 * still accepted, while reads that need the database return 503 and readiness reports
 * down.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class PostgresOutageTests {

	private static final String PROBLEM_BASE = "https://booking-monitor.example/problems/";

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresServer postgres = PostgresServer.create();

	private static final PostgresDatabase database = createDatabase();

	@LocalServerPort
	private int port;

	private ApiClient api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		TestServers.register(registry, redis, database);
	}

	@AfterAll
	static void stopServers() {
		database.close();
		postgres.close();
		redis.close();
	}

	@BeforeEach
	void createClient() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void bookingsNeedNoDatabase() {
		Response created = this.api.post("/events", ApiClient.toJson(Map.of("name", "Gig", "capacity", 10)));
		long eventId = created.json().get("id").asLong();

		postgres.stop();
		try {
			for (int i = 0; i < 5; i++) {
				assertThat(this.api.book(eventId, "u-" + i, 1).status()).isEqualTo(202);
			}
			Response event = this.api.get("/events/" + eventId);
			assertThat(event.status()).isEqualTo(503);
			assertThat(event.problemType()).isEqualTo(PROBLEM_BASE + "service-unavailable");
			assertThat(event.header("Retry-After")).isEqualTo("1");
			assertThat(this.api.get("/actuator/health/readiness").status()).isEqualTo(503);
		}
		finally {
			postgres.start();
		}

		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.api.get("/actuator/health/readiness").status()).isEqualTo(200));
		assertThat(this.api.get("/events/" + eventId).json().get("available").asLong()).isEqualTo(5);
	}

	private static PostgresDatabase createDatabase() {
		try {
			return PostgresDatabase.createOn(postgres.adminJdbcUrl(), "postgres", "");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Failed to create a database on the test's PostgreSQL", ex);
		}
	}

}

package com.bookingmonitor.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient.Response;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PostgreSQL-only baseline and the no-op endpoint under the profile {@code baseline}:
 * the contract of {@code POST /book}, and no oversold event under concurrent bookings.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ActiveProfiles("baseline")
@DirtiesContext
class BaselineTests {

	private static final String PROBLEM_BASE = "https://booking-monitor.example/problems/";

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresDatabase database = PostgresDatabase.create();

	@Autowired
	private JdbcTemplate jdbc;

	@LocalServerPort
	private int port;

	private ApiClient api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		TestServers.register(registry, redis, database);
	}

	@AfterAll
	static void stopServers() {
		redis.close();
		database.close();
	}

	@BeforeEach
	void createClient() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void baselineBookingIsCommitted() {
		long eventId = createEvent(10);

		Response response = post("/baseline/book", eventId, "u-1", 3);

		assertThat(response.status()).isEqualTo(202);
		String bookingId = response.text("bookingId");
		assertThat(response.header("Location")).isEqualTo("/bookings/" + bookingId);
		assertThat(response.text("status")).isEqualTo("CONFIRMED");
		assertThat(response.json().get("quantity").asInt()).isEqualTo(3);
		assertThat(available(eventId)).isEqualTo(7);
		assertThat(this.jdbc.queryForObject("SELECT user_id FROM baseline_bookings WHERE id = ?::uuid", String.class,
				bookingId))
			.isEqualTo("u-1");
	}

	@Test
	void baselineRejectsBeyondCapacity() {
		long eventId = createEvent(2);
		post("/baseline/book", eventId, "u-1", 2);

		Response response = post("/baseline/book", eventId, "u-2", 1);

		assertThat(response.status()).isEqualTo(409);
		assertThat(response.problemType()).isEqualTo(PROBLEM_BASE + "sold-out");
		assertThat(response.json().get("available").asInt()).isZero();
	}

	@Test
	void baselineRejectsUnknownEvent() {
		Response response = post("/baseline/book", 987_654, "u-1", 1);

		assertThat(response.status()).isEqualTo(404);
		assertThat(response.problemType()).isEqualTo(PROBLEM_BASE + "event-not-found");
	}

	@Test
	void baselineValidatesLikeBook() {
		Response book = this.api.post("/book", "{\"eventId\":1,\"userId\":\"\",\"quantity\":0}");

		Response baseline = this.api.post("/baseline/book", "{\"eventId\":1,\"userId\":\"\",\"quantity\":0}");
		Response noop = this.api.post("/baseline/noop", "{\"eventId\":1,\"userId\":\"\",\"quantity\":0}");

		assertThat(baseline.status()).isEqualTo(book.status());
		assertThat(baseline.problemType()).isEqualTo(book.problemType());
		assertThat(noop.status()).isEqualTo(book.status());
		assertThat(noop.problemType()).isEqualTo(book.problemType());
	}

	@Test
	void noopAcceptsWithoutBooking() {
		long eventId = createEvent(5);

		Response response = post("/baseline/noop", eventId, "u-1", 1);

		assertThat(response.status()).isEqualTo(202);
		assertThat(response.text("bookingId")).isNotBlank();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM baseline_bookings WHERE event_id = ?", Long.class,
				eventId))
			.isZero();
		assertThat(this.api.get("/events/" + eventId).json().get("available").asLong()).isEqualTo(5);
	}

	@Test
	void concurrentBaselineBookingsNeverOversell() throws Exception {
		long eventId = createEvent(50);
		List<Future<Response>> responses = new ArrayList<>();

		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 80; i++) {
				String userId = "u-" + i;
				responses.add(threads.submit(() -> post("/baseline/book", eventId, userId, 1)));
			}
		}

		int accepted = 0;
		for (Future<Response> response : responses) {
			int status = response.get().status();
			assertThat(status).isIn(202, 409);
			accepted += (status == 202) ? 1 : 0;
		}
		assertThat(accepted).isEqualTo(50);
		assertThat(available(eventId)).isZero();
		assertThat(this.jdbc.queryForObject("SELECT count(*) FROM baseline_bookings WHERE event_id = ?", Long.class,
				eventId))
			.isEqualTo(50);
	}

	private long createEvent(int capacity) {
		Response created = this.api.post("/events", "{\"name\":\"Baseline\",\"capacity\":" + capacity + "}");
		assertThat(created.status()).isEqualTo(201);
		return created.json().get("id").asLong();
	}

	private Response post(String path, long eventId, String userId, int quantity) {
		return this.api.post(path,
				"{\"eventId\":" + eventId + ",\"userId\":\"" + userId + "\",\"quantity\":" + quantity + "}");
	}

	private int available(long eventId) {
		return this.jdbc.queryForObject("SELECT available FROM baseline_inventory WHERE event_id = ?", Integer.class,
				eventId);
	}

}

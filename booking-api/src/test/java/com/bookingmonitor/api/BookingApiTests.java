package com.bookingmonitor.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient.Response;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API end to end, against its own Redis and database. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "booking.api.admin-token=" + BookingApiTests.ADMIN_TOKEN, "booking.api.max-request-size=1KB" })
@DirtiesContext
class BookingApiTests {

	static final String ADMIN_TOKEN = "test-admin-token";

	private static final String PROBLEM_BASE = "https://booking-monitor.example/problems/";

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresDatabase database = PostgresDatabase.create();

	private static final RedisClient redisClient = RedisClient.create(redis.uri());

	private static final StatefulRedisConnection<String, String> redisConnection = redisClient.connect();

	private final RedisCommands<String, String> commands = redisConnection.sync();

	@Autowired
	private RedisKeys keys;

	@LocalServerPort
	private int port;

	private ApiClient api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		TestServers.register(registry, redis, database);
	}

	@AfterAll
	static void stopServers() {
		redisConnection.close();
		redisClient.shutdown();
		redis.close();
		database.close();
	}

	@BeforeEach
	void createClient() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void createdEventReportsInventory() {
		Response created = createEvent("Concert", 100);

		assertThat(created.status()).isEqualTo(201);
		long id = created.json().get("id").asLong();
		assertThat(created.header("Location")).isEqualTo("/events/" + id);
		assertThat(this.commands.get(this.keys.inventory(id))).isEqualTo("100");

		Response event = this.api.get("/events/" + id);
		assertThat(event.status()).isEqualTo(200);
		assertThat(event.text("name")).isEqualTo("Concert");
		assertThat(event.json().get("capacity").asInt()).isEqualTo(100);
		assertThat(event.json().get("available").asLong()).isEqualTo(100);
		assertThat(event.json().get("confirmed").asLong()).isZero();
	}

	@Test
	void unknownEventIsNotFound() {
		Response event = this.api.get("/events/987654");

		assertProblem(event, 404, "event-not-found");
	}

	@Test
	void bookingIsAcceptedAndPending() {
		long eventId = eventWithCapacity(10);

		Response booking = this.api.book(eventId, "u-42", 2);

		assertThat(booking.status()).isEqualTo(202);
		String bookingId = booking.text("bookingId");
		assertThat(UUID.fromString(bookingId).version()).isEqualTo(7);
		assertThat(booking.header("Location")).isEqualTo("/bookings/" + bookingId);
		assertThat(booking.text("status")).isEqualTo("PENDING");
		assertThat(booking.json().get("eventId").asLong()).isEqualTo(eventId);
		assertThat(booking.text("userId")).isEqualTo("u-42");
		assertThat(booking.json().get("quantity").asInt()).isEqualTo(2);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("8");

		Response status = this.api.get("/bookings/" + bookingId);
		assertThat(status.status()).isEqualTo(200);
		assertThat(status.text("status")).isEqualTo("PENDING");
		assertThat(status.text("userId")).isEqualTo("u-42");
	}

	@Test
	void persistedBookingIsConfirmed() throws SQLException {
		long eventId = eventWithCapacity(10);
		String bookingId = this.api.book(eventId, "u-7", 3).text("bookingId");

		persistLikeConsumer(UUID.fromString(bookingId), eventId);

		Response status = this.api.get("/bookings/" + bookingId);
		assertThat(status.status()).isEqualTo(200);
		assertThat(status.text("status")).isEqualTo("CONFIRMED");
		assertThat(status.json().get("quantity").asInt()).isEqualTo(3);
		assertThat(this.api.get("/events/" + eventId).json().get("confirmed").asLong()).isEqualTo(3);
	}

	@Test
	void unknownBookingIsNotFound() {
		assertProblem(this.api.get("/bookings/" + UUID.randomUUID()), 404, "booking-not-found");
		assertProblem(this.api.get("/bookings/not-a-uuid"), 400, "invalid-request");
	}

	@Test
	void soldOutBookingChangesNothing() {
		long eventId = eventWithCapacity(3);
		assertThat(this.api.book(eventId, "u-1", 2).status()).isEqualTo(202);

		Response rejected = this.api.book(eventId, "u-2", 2);

		assertProblem(rejected, 409, "sold-out");
		assertThat(rejected.json().get("available").asLong()).isEqualTo(1);
		assertThat(rejected.text("instance")).isEqualTo("/book");
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("1");
		assertThat(this.api.book(eventId, "u-2", 1).status()).isEqualTo(202);
		assertProblem(this.api.book(eventId, "u-3", 1), 409, "sold-out");
	}

	@Test
	void concurrentBuyersNeverOversell() throws Exception {
		long eventId = eventWithCapacity(10);
		AtomicInteger users = new AtomicInteger();

		List<Response> responses = concurrently(60, () -> this.api.book(eventId, "u-" + users.incrementAndGet(), 1));

		assertThat(responses).filteredOn((response) -> response.status() == 202).hasSize(10);
		assertThat(responses).filteredOn((response) -> response.status() == 409).hasSize(50);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("0");
		assertThat(streamEntriesOf(eventId)).isEqualTo(10);
	}

	@Test
	void bookingForUnknownEventIsNotFound() {
		Response booking = this.api.book(424242, "u-1", 1);

		assertProblem(booking, 404, "event-not-found");
		assertThat(this.commands.exists(this.keys.inventory(424242))).isZero();
	}

	@Test
	void invalidBookingsAreRejected() {
		long eventId = eventWithCapacity(10);
		Map<String, String> bodies = Map.of("quantity",
				"{\"eventId\":" + eventId + ",\"userId\":\"u\",\"quantity\":11}", "userId",
				"{\"eventId\":" + eventId + ",\"userId\":\"\",\"quantity\":1}", "eventId",
				"{\"userId\":\"u\",\"quantity\":1}", "color",
				"{\"eventId\":" + eventId + ",\"userId\":\"u\",\"quantity\":1,\"color\":\"red\"}");
		for (Map.Entry<String, String> body : bodies.entrySet()) {
			Response response = this.api.post("/book", body.getValue());

			assertProblem(response, 400, "invalid-request");
			assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(body.getKey());
		}
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("10");
	}

	@Test
	void outOfRangeNumbersAreRejected() {
		List<String> bodies = List.of("{\"eventId\":1,\"userId\":\"u\",\"quantity\":99999999999}",
				"{\"eventId\":1,\"userId\":\"u\",\"quantity\":1.5}",
				"{\"eventId\":1,\"userId\":\"u\",\"quantity\":\"2\"}");
		for (String body : bodies) {
			Response response = this.api.post("/book", body);

			assertProblem(response, 400, "invalid-request");
			assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("quantity");
		}
	}

	@Test
	void longUserIdIsRejected() {
		Response response = this.api.book(eventWithCapacity(5), "u".repeat(65), 1);

		assertProblem(response, 400, "invalid-request");
		assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("userId");
	}

	@Test
	void controlCharacterInUserIdIsRejected() {
		long eventId = eventWithCapacity(5);

		Response response = this.api.book(eventId, "a\u0000b", 1);

		assertProblem(response, 400, "invalid-request");
		assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("userId");
		assertThat(this.api.get("/events/" + eventId).json().get("available").asInt()).isEqualTo(5);
	}

	@Test
	void malformedJsonIsRejected() {
		assertProblem(this.api.post("/book", "{\"eventId\":"), 400, "invalid-request");
	}

	@Test
	void oversizedBodyIsRejected() {
		String body = "{\"eventId\":1,\"userId\":\"" + "u".repeat(2000) + "\",\"quantity\":1}";

		assertProblem(this.api.post("/book", body), 413, "payload-too-large");
	}

	@Test
	void invalidIdempotencyKeyIsRejected() {
		long eventId = eventWithCapacity(5);

		assertProblem(this.api.book(eventId, "u-1", 1, "Idempotency-Key", "k".repeat(129)), 400, "invalid-request");
		assertProblem(this.api.book(eventId, "u-1", 1, "Idempotency-Key", "tab\tinside"), 400, "invalid-request");
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("5");
	}

	@Test
	void concurrentRequestsWithOneKeyBookOnce() throws Exception {
		long eventId = eventWithCapacity(100);

		List<Response> responses = concurrently(20,
				() -> this.api.book(eventId, "u-1", 1, "Idempotency-Key", "same-key-1"));

		assertThat(responses).extracting(Response::status).containsOnly(202);
		assertThat(responses).extracting((response) -> response.text("bookingId"))
			.containsOnly(responses.get(0).text("bookingId"));
		assertThat(responses).filteredOn((response) -> "true".equals(response.header("Idempotent-Replayed")))
			.hasSize(19);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("99");
		assertThat(streamEntriesOf(eventId)).isEqualTo(1);
	}

	@Test
	void keyReusedWithOtherBodyConflicts() {
		long eventId = eventWithCapacity(10);
		Response first = this.api.book(eventId, "u-1", 1, "Idempotency-Key", "reused-key");

		Response second = this.api.book(eventId, "u-1", 2, "Idempotency-Key", "reused-key");

		assertThat(first.status()).isEqualTo(202);
		assertProblem(second, 422, "idempotency-key-conflict");
		assertThat(second.text("bookingId")).isEqualTo(first.text("bookingId"));
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("9");
	}

	@Test
	void parallelRequestsKeepUserLimit() throws Exception {
		long eventId = eventWithCapacity(1000);

		List<Response> responses = concurrently(30, () -> this.api.book(eventId, "greedy", 1));

		assertThat(responses).filteredOn((response) -> response.status() == 202).hasSize(4);
		assertThat(responses).filteredOn((response) -> response.status() == 409)
			.allSatisfy((response) -> assertThat(response.problemType()).isEqualTo(PROBLEM_BASE + "user-limit-reached"))
			.hasSize(26);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("996");
		assertThat(this.commands.hget(this.keys.eventKey(eventId, "user-tickets"), "greedy")).isEqualTo("4");
	}

	@Test
	void createEventNeedsAdminToken() {
		String body = ApiClient.toJson(Map.of("name", "Gig", "capacity", 5));

		Response missing = this.api.post("/events", body);
		Response wrong = this.api.post("/events", body, "Authorization", "Bearer wrong");

		assertProblem(missing, 401, "unauthorized");
		assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer");
		assertProblem(wrong, 403, "forbidden");
	}

	@Test
	void invalidEventsAreRejected() {
		Map<String, Map<String, Object>> bodies = Map.of("name", Map.of("name", " ", "capacity", 5), "capacity",
				Map.of("name", "Gig", "capacity", 0));
		for (Map.Entry<String, Map<String, Object>> body : bodies.entrySet()) {
			Response response = this.api.post("/events", ApiClient.toJson(body.getValue()), "Authorization",
					"Bearer " + ADMIN_TOKEN);

			assertProblem(response, 400, "invalid-request");
			assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(body.getKey());
		}
	}

	@Test
	void nonJsonBodyIsRejected() {
		Response response = this.api.post("/book", "eventId=1", "Content-Type", "text/plain");

		assertProblem(response, 415, "unsupported-media-type");
	}

	@Test
	void wrongMethodIsProblem() {
		assertProblem(this.api.get("/book"), 405, "method-not-allowed");
		assertProblem(this.api.get("/no-such-path"), 404, "not-found");
	}

	@Test
	void metricsCountOutcomes() {
		long eventId = eventWithCapacity(1);
		this.api.book(eventId, "u-1", 1);
		this.api.book(eventId, "u-2", 1);
		this.api.post("/book", "{}");

		String metrics = this.api.get("/actuator/prometheus").raw().body();

		assertThat(metrics).contains("booking_requests_total{outcome=\"accepted\"}");
		assertThat(metrics).contains("booking_requests_total{outcome=\"sold_out\"}");
		assertThat(metrics).contains("booking_requests_total{outcome=\"invalid\"}");
		assertThat(metrics).contains("booking_script_seconds_bucket");
		assertThat(metrics).contains("http_server_requests_seconds_bucket");
		assertThat(metrics).doesNotContain("booking_requests_total{outcome=\"invalid\"} 0.0");
	}

	@Test
	void readinessIsUp() {
		Response readiness = this.api.get("/actuator/health/readiness");

		assertThat(readiness.status()).isEqualTo(200);
		assertThat(readiness.text("status")).isEqualTo("UP");
	}

	@Test
	void livenessAndInfoAreExposed() {
		Response liveness = this.api.get("/actuator/health/liveness");
		Response info = this.api.get("/actuator/info");

		assertThat(liveness.status()).isEqualTo(200);
		assertThat(info.status()).isEqualTo(200);
		assertThat(info.json().get("build").get("artifact").asString()).isEqualTo("booking-api");
	}

	private Response createEvent(String name, int capacity) {
		return this.api.post("/events", ApiClient.toJson(Map.of("name", name, "capacity", capacity)), "Authorization",
				"Bearer " + ADMIN_TOKEN);
	}

	private long eventWithCapacity(int capacity) {
		Response created = createEvent("Event", capacity);
		assertThat(created.status()).isEqualTo(201);
		return created.json().get("id").asLong();
	}

	/** Counts the event's entries in its partition's stream, which other events share. */
	private long streamEntriesOf(long eventId) {
		return this.commands.xrange(this.keys.streamOfEvent(eventId), Range.create("-", "+"))
			.stream()
			.filter((entry) -> entry.getBody().get("eventId").equals(Long.toString(eventId)))
			.count();
	}

	/** Does what the consumer does after reading the stream entry: insert, then HDEL. */
	private void persistLikeConsumer(UUID bookingId, long eventId) throws SQLException {
		String pendingHash = this.keys.pendingBookingsOfEvent(eventId);
		PendingBooking pending = PendingBooking.decode(this.commands.hget(pendingHash, bookingId.toString()));
		try (Connection connection = database.connect();
				PreparedStatement insert = connection.prepareStatement(
						"INSERT INTO bookings (id, event_id, user_id, quantity, accepted_at) VALUES (?, ?, ?, ?, ?)")) {
			insert.setObject(1, bookingId);
			insert.setLong(2, eventId);
			insert.setString(3, pending.userId());
			insert.setInt(4, pending.quantity());
			insert.setTimestamp(5, Timestamp.from(Instant.now()));
			insert.executeUpdate();
		}
		this.commands.hdel(pendingHash, bookingId.toString());
	}

	private static void assertProblem(Response response, int status, String type) {
		assertThat(response.status()).isEqualTo(status);
		assertThat(response.contentType()).as(response.raw().body()).isEqualTo("application/problem+json");
		assertThat(response.problemType()).isEqualTo(PROBLEM_BASE + type);
		assertThat(response.text("detail")).isNotBlank();
	}

	private static List<Response> concurrently(int count, Callable<Response> request) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<Response>> futures = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				futures.add(executor.submit(() -> {
					start.await();
					return request.call();
				}));
			}
			start.countDown();
			List<Response> responses = new ArrayList<>();
			for (Future<Response> future : futures) {
				try {
					responses.add(future.get());
				}
				catch (ExecutionException ex) {
					throw new AssertionError("Request failed", ex.getCause());
				}
			}
			return responses;
		}
	}

}

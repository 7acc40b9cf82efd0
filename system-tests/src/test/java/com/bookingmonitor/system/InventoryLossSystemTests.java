package com.bookingmonitor.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Inventory keys deleted in the middle of a sale, with both services running: the API
 * returns 503 until it has rebuilt each key from PostgreSQL and the in-flight bookings,
 * and across the whole run no ticket is sold twice and every accepted booking is
 * persisted exactly once.
 */
class InventoryLossSystemTests {

	private static final int CAPACITY = 400;

	private static final int REQUESTS = 3_000;

	private static final int CLIENTS = 32;

	private static final int USERS = 600;

	private static final int MAX_TICKETS_PER_USER = 4;

	/** Accepted bookings after which the test deletes the inventory and per-user keys. */
	private static final int[] DELETE_AFTER_ACCEPTED = { 20, 80, 150 };

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private static RedisServer redis;

	private static PostgresDatabase database;

	private static SystemUnderTest system;

	private static RedisClient redisClient;

	private static StatefulRedisConnection<String, String> redisConnection;

	@BeforeAll
	static void startSystem() {
		redis = RedisServer.start();
		database = PostgresDatabase.create();
		system = SystemUnderTest.start(redis, database,
				Map.of("booking.api.max-tickets-per-user", MAX_TICKETS_PER_USER));
		redisClient = RedisClient.create(redis.uri());
		redisConnection = redisClient.connect();
	}

	@AfterAll
	static void stopSystem() {
		if (redisConnection != null) {
			redisConnection.close();
			redisClient.shutdown();
		}
		if (system != null) {
			system.close();
		}
		if (database != null) {
			database.close();
		}
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void deletedInventoryNeverOversells() throws Exception {
		RedisCommands<String, String> commands = redisConnection.sync();
		RedisKeys keys = system.api().getBean(RedisKeys.class);
		long eventId = createEvent(CAPACITY);
		String inventoryKey = keys.inventory(eventId);
		AtomicInteger acceptedCount = new AtomicInteger();
		Map<UUID, Integer> accepted = new ConcurrentHashMap<>();
		Map<Integer, Integer> statusCounts = new ConcurrentHashMap<>();

		try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
			List<Future<?>> futures = new ArrayList<>();
			for (int i = 0; i < REQUESTS; i++) {
				String userId = "user-" + (i % USERS);
				int quantity = 1 + (i % 2);
				futures.add(clients.submit(() -> {
					Response response = book(eventId, userId, quantity);
					statusCounts.merge(response.status(), 1, Integer::sum);
					if (response.status() == 202) {
						accepted.put(UUID.fromString(response.body().required("bookingId").asString()), quantity);
						acceptedCount.incrementAndGet();
					}
					return null;
				}));
			}

			for (int threshold : DELETE_AFTER_ACCEPTED) {
				await().atMost(Duration.ofSeconds(60)).until(() -> acceptedCount.get() >= threshold);
				commands.del(inventoryKey, keys.eventKey(eventId, "user-tickets"));
			}
			for (Future<?> future : futures) {
				future.get();
			}
		}

		assertThat(statusCounts).containsOnlyKeys(202, 409, 503);
		assertThat(statusCounts.get(503)).as("requests that found the key missing").isPositive();
		long acceptedTickets = accepted.values().stream().mapToLong(Integer::longValue).sum();
		assertThat(acceptedTickets).isLessThanOrEqualTo(CAPACITY);

		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(persistedTickets(eventId)).isEqualTo(acceptedTickets));
		Map<UUID, Integer> persisted = persistedBookings(eventId);
		assertThat(persisted).isEqualTo(accepted);
		assertThat(maxTicketsOfOneUser(eventId)).isLessThanOrEqualTo(MAX_TICKETS_PER_USER);
		await().atMost(Duration.ofSeconds(30)).until(() -> commands.get(inventoryKey) != null);
		assertThat(Long.parseLong(commands.get(inventoryKey)) + acceptedTickets).isEqualTo(CAPACITY);
	}

	private static long createEvent(int capacity) throws IOException, InterruptedException {
		Response response = post("/events", Map.of("name", "Inventory loss test", "capacity", capacity));
		assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
		return response.body().required("id").asLong();
	}

	private static Response book(long eventId, String userId, int quantity) throws IOException, InterruptedException {
		return post("/book", Map.of("eventId", eventId, "userId", userId, "quantity", quantity));
	}

	private static Response post(String path, Map<String, Object> body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(system.apiBaseUrl() + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		return new Response(response.statusCode(), json.readTree(response.body()));
	}

	private static long persistedTickets(long eventId) throws SQLException {
		return persistedBookings(eventId).values().stream().mapToLong(Integer::longValue).sum();
	}

	private static Map<UUID, Integer> persistedBookings(long eventId) throws SQLException {
		Map<UUID, Integer> bookings = new HashMap<>();
		try (Connection connection = database.connect();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id, quantity FROM bookings WHERE event_id = ?")) {
			statement.setLong(1, eventId);
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					bookings.put(rows.getObject("id", UUID.class), rows.getInt("quantity"));
				}
			}
		}
		return bookings;
	}

	private static long maxTicketsOfOneUser(long eventId) throws SQLException {
		try (Connection connection = database.connect();
				PreparedStatement statement = connection.prepareStatement(
						"SELECT COALESCE(MAX(tickets), 0) FROM (SELECT SUM(quantity) AS tickets FROM bookings"
								+ " WHERE event_id = ? GROUP BY user_id) AS per_user")) {
			statement.setLong(1, eventId);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getLong(1);
			}
		}
	}

	private record Response(int status, JsonNode body) {
	}

}

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A flash sale over real HTTP: many concurrent clients race for few tickets, and exactly
 * the tickets on sale must be accepted, persisted once each, and no more.
 */
class FlashSaleTests {

	private static final int TICKETS = 100;

	private static final int REQUESTS = 2_000;

	private static final int CLIENTS = 200;

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private static RedisServer redis;

	private static PostgresDatabase database;

	private static SystemUnderTest system;

	@BeforeAll
	static void startSystem() {
		redis = RedisServer.start();
		database = PostgresDatabase.create();
		system = SystemUnderTest.start(redis, database);
	}

	@AfterAll
	static void stopSystem() {
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
	void concurrentSaleSellsEachTicketOnce() throws Exception {
		long eventId = createEvent(TICKETS);

		// Every request comes from its own user and asks for one ticket, so only the
		// inventory, not the per-user limit, decides who gets one.
		List<Response> responses = new ArrayList<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
			List<Future<Response>> futures = new ArrayList<>();
			for (int i = 0; i < REQUESTS; i++) {
				String userId = "user-" + i;
				futures.add(clients.submit(() -> book(eventId, userId)));
			}
			for (Future<Response> future : futures) {
				responses.add(future.get());
			}
		}

		Map<Integer, Integer> countByStatus = new HashMap<>();
		responses.forEach(response -> countByStatus.merge(response.status(), 1, Integer::sum));
		assertThat(countByStatus).containsOnlyKeys(202, 409);
		assertThat(countByStatus.get(202)).isEqualTo(TICKETS);
		assertThat(countByStatus.get(409)).isEqualTo(REQUESTS - TICKETS);
		List<UUID> acceptedIds = responses.stream()
			.filter(response -> response.status() == 202)
			.map(response -> UUID.fromString(response.body().required("bookingId").asString()))
			.toList();
		assertThat(acceptedIds).doesNotHaveDuplicates();

		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			JsonNode event = getEvent(eventId);
			assertThat(event.required("confirmed").asLong()).isEqualTo(TICKETS);
		});
		List<PersistedBooking> persisted = persistedBookings(eventId);
		assertThat(persisted).extracting(PersistedBooking::id).containsExactlyInAnyOrderElementsOf(acceptedIds);
		assertThat(persisted).extracting(PersistedBooking::quantity).containsOnly(1);
		assertThat(getEvent(eventId).required("available").asLong()).isZero();
	}

	private static long createEvent(int capacity) throws IOException, InterruptedException {
		Response response = post("/events", Map.of("name", "Flash sale test", "capacity", capacity));
		assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
		return response.body().required("id").asLong();
	}

	private static Response book(long eventId, String userId) throws IOException, InterruptedException {
		return post("/book", Map.of("eventId", eventId, "userId", userId, "quantity", 1));
	}

	private static JsonNode getEvent(long eventId) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(system.apiBaseUrl() + "/events/" + eventId))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
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

	private static List<PersistedBooking> persistedBookings(long eventId) throws SQLException {
		List<PersistedBooking> bookings = new ArrayList<>();
		try (Connection connection = database.connect();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id, quantity FROM bookings WHERE event_id = ?")) {
			statement.setLong(1, eventId);
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					bookings.add(new PersistedBooking(rows.getObject("id", UUID.class), rows.getInt("quantity")));
				}
			}
		}
		return bookings;
	}

	private record Response(int status, JsonNode body) {
	}

	private record PersistedBooking(UUID id, int quantity) {
	}

}

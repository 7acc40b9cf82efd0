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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.bookingmonitor.testsupport.PostgresDatabase;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the cluster tests do to the running system: HTTP calls to booking-api, reads of
 * persisted bookings, and which master serves a key.
 */
final class ClusterApi {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final SystemUnderTest system;

	private final PostgresDatabase database;

	ClusterApi(SystemUnderTest system, PostgresDatabase database) {
		this.system = system;
		this.database = database;
	}

	List<Long> createEvents(int count, int capacity) throws IOException, InterruptedException {
		List<Long> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			HttpResponse<String> response = post("/events", Map.of("name", "Cluster test", "capacity", capacity),
					Map.of());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
			events.add(json.readTree(response.body()).required("id").asLong());
		}
		return events;
	}

	Booking book(long eventId, String userId, int quantity, Map<String, String> headers)
			throws IOException, InterruptedException {
		HttpResponse<String> response = post("/book",
				Map.of("eventId", eventId, "userId", userId, "quantity", quantity), headers);
		UUID bookingId = null;
		if (response.statusCode() == 202) {
			bookingId = UUID.fromString(json.readTree(response.body()).required("bookingId").asString());
		}
		boolean replayed = response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true");
		return new Booking(eventId, response.statusCode(), bookingId, replayed);
	}

	JsonNode getEvent(long eventId) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.system.apiBaseUrl() + "/events/" + eventId))
			.timeout(Duration.ofSeconds(10))
			.GET()
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

	/** Ids of the bookings of these events in PostgreSQL. */
	Set<UUID> persistedIds(List<Long> events) throws SQLException {
		Set<UUID> ids = new HashSet<>();
		try (Connection connection = this.database.connect();
				PreparedStatement statement = connection
					.prepareStatement("SELECT id FROM bookings WHERE event_id = ANY (?)")) {
			statement.setArray(1, connection.createArrayOf("bigint", events.toArray()));
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					ids.add(rows.getObject(1, UUID.class));
				}
			}
		}
		return ids;
	}

	/**
	 * Finds the master that serves a key, as {@code host:port}, from the slot ranges of
	 * {@code CLUSTER SLOTS}. Each entry contains the first and last slot of a range, then
	 * the master's host and port.
	 */
	static String masterOf(RedisClusterCommands<String, String> redis, String key) {
		int slot = SlotHash.getSlot(key);
		for (Object entry : redis.clusterSlots()) {
			List<?> range = (List<?>) entry;
			List<?> master = (List<?>) range.get(2);
			if (slot >= (Long) range.get(0) && slot <= (Long) range.get(1)) {
				return master.get(0) + ":" + master.get(1);
			}
		}
		throw new AssertionError("No master serves slot " + slot + " of key " + key);
	}

	private HttpResponse<String> post(String path, Map<String, Object> body, Map<String, String> headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.system.apiBaseUrl() + path))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
		headers.forEach(request::header);
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * Outcome of one {@code POST /book}.
	 *
	 * @param bookingId the booking's id when the status is 202, else null
	 * @param replayed whether the response carried {@code Idempotent-Replayed: true}
	 */
	record Booking(long eventId, int status, UUID bookingId, boolean replayed) {
	}

}

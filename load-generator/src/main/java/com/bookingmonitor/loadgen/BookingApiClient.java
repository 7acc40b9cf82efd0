package com.bookingmonitor.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The three booking-api calls a flash sale needs, over one shared {@link HttpClient}.
 * HTTP/1.1 keeps one pooled connection per concurrent caller, which is what a crowd of
 * browsers does.
 */
final class BookingApiClient {

	private static final String JSON = "application/json";

	/** Wait before a retry when the response names none, booking-api's default. */
	private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

	private final HttpClient http;

	private final URI baseUrl;

	private final Duration requestTimeout;

	private final String adminToken;

	private final JsonMapper json = JsonMapper.builder().build();

	/**
	 * Creates a client for one booking-api.
	 * @param baseUrl for example {@code http://127.0.0.1:8080}
	 * @param requestTimeout maximum time for one request, response included
	 * @param adminToken bearer token for {@code POST /events}, or null when the API needs
	 * none
	 */
	BookingApiClient(URI baseUrl, Duration requestTimeout, String adminToken) {
		this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout).build();
		this.baseUrl = baseUrl;
		this.requestTimeout = requestTimeout;
		this.adminToken = adminToken;
	}

	URI baseUrl() {
		return this.baseUrl;
	}

	/** Creates an event and returns its id. */
	long createEvent(String name, int capacity) throws IOException, InterruptedException {
		HttpRequest.Builder request = post("/events", Map.of("name", name, "capacity", capacity));
		if (this.adminToken != null && !this.adminToken.isBlank()) {
			request.header("Authorization", "Bearer " + this.adminToken);
		}
		HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 201) {
			throw new IOException("POST /events failed with HTTP " + response.statusCode() + ": " + response.body()
					+ hintFor(response.statusCode()));
		}
		return readTree(response).required("id").asLong();
	}

	/**
	 * Sends one booking request and classifies the response. Failures to get a response
	 * are an {@link Outcome#IO_ERROR}, not an exception, because a flash sale counts
	 * them.
	 * @param idempotencyKey the {@code Idempotency-Key} header, the same for every retry
	 * of one booking
	 */
	BookingResult book(long eventId, String userId, int quantity, String idempotencyKey) throws InterruptedException {
		HttpRequest request = post("/book", Map.of("eventId", eventId, "userId", userId, "quantity", quantity))
			.header("Idempotency-Key", idempotencyKey)
			.build();
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			return new BookingResult(classify(response), retryAfter(response));
		}
		catch (IOException ex) {
			return new BookingResult(Outcome.IO_ERROR, DEFAULT_RETRY_AFTER);
		}
	}

	/** Reads {@code GET /events/{id}}. */
	EventStatus event(long eventId) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(this.baseUrl.resolve("/events/" + eventId))
			.timeout(this.requestTimeout)
			.header("Accept", JSON)
			.GET()
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IOException(
					"GET /events/" + eventId + " failed with HTTP " + response.statusCode() + ": " + response.body());
		}
		JsonNode body = readTree(response);
		return new EventStatus(body.required("capacity").asLong(), body.required("available").asLong(),
				body.required("confirmed").asLong());
	}

	private Outcome classify(HttpResponse<String> response) {
		int status = response.statusCode();
		if (status == 202) {
			return Outcome.ACCEPTED;
		}
		if (status == 409) {
			return classifyConflict(response.body());
		}
		if (status >= 400 && status < 500) {
			return Outcome.OTHER_CLIENT_ERROR;
		}
		if (status == 503) {
			return Outcome.UNAVAILABLE;
		}
		return Outcome.SERVER_ERROR;
	}

	/** Reads the {@code Retry-After} seconds that booking-api sets on every 503. */
	private static Duration retryAfter(HttpResponse<String> response) {
		try {
			return response.headers()
				.firstValue("Retry-After")
				.map(seconds -> Duration.ofSeconds(Long.parseLong(seconds.trim())))
				.orElse(DEFAULT_RETRY_AFTER);
		}
		catch (NumberFormatException ex) {
			return DEFAULT_RETRY_AFTER;
		}
	}

	/**
	 * Tells a sold-out event from a reached per-user limit by the problem type that
	 * booking-api sets on its RFC 9457 problem details.
	 */
	private Outcome classifyConflict(String body) {
		String type;
		try {
			type = this.json.readTree(body).path("type").asString("");
		}
		catch (JacksonException ex) {
			return Outcome.OTHER_CLIENT_ERROR;
		}
		if (type.endsWith("/sold-out")) {
			return Outcome.SOLD_OUT;
		}
		if (type.endsWith("/user-limit-reached")) {
			return Outcome.LIMIT_REACHED;
		}
		return Outcome.OTHER_CLIENT_ERROR;
	}

	private HttpRequest.Builder post(String path, Map<String, Object> body) {
		return HttpRequest.newBuilder(this.baseUrl.resolve(path))
			.timeout(this.requestTimeout)
			.header("Content-Type", JSON)
			.header("Accept", JSON)
			.POST(HttpRequest.BodyPublishers.ofString(this.json.writeValueAsString(body)));
	}

	private JsonNode readTree(HttpResponse<String> response) throws IOException {
		try {
			return this.json.readTree(response.body());
		}
		catch (JacksonException ex) {
			throw new IOException("Invalid JSON from " + response.request().uri() + ": " + response.body(), ex);
		}
	}

	private static String hintFor(int status) {
		return switch (status) {
			case 401, 403 -> " (pass the admin token with --admin-token or BOOKING_ADMIN_TOKEN)";
			default -> "";
		};
	}

	/**
	 * The classified response to one booking request.
	 *
	 * @param outcome how booking-api responded
	 * @param retryAfter how long to wait before a retry, from {@code Retry-After}
	 */
	record BookingResult(Outcome outcome, Duration retryAfter) {
	}

	/** Ticket counts of an event, as {@code GET /events/{id}} returns them. */
	record EventStatus(long capacity, long available, long confirmed) {
	}

}

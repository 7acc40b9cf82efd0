package com.bookingmonitor.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for tests that send requests from many threads at once. */
public final class ApiClient {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String baseUrl;

	public ApiClient(int port) {
		this.baseUrl = "http://127.0.0.1:" + port;
	}

	public Response get(String path) {
		return send(request(path).GET());
	}

	public Response post(String path, String body, String... headers) {
		HttpRequest.Builder request = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
		if (!List.of(headers).contains("Content-Type")) {
			request.header("Content-Type", "application/json");
		}
		if (headers.length > 0) {
			request.headers(headers);
		}
		return send(request);
	}

	public Response book(long eventId, String userId, int quantity, String... headers) {
		return post("/book",
				"{\"eventId\":" + eventId + ",\"userId\":\"" + userId + "\",\"quantity\":" + quantity + "}", headers);
	}

	public static String toJson(Map<String, ?> body) {
		return json.writeValueAsString(body);
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.baseUrl + path)).timeout(Duration.ofSeconds(30));
	}

	private Response send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Response(response);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for a response", ex);
		}
	}

	/** A response with its body parsed as JSON when it is JSON. */
	public record Response(int status, HttpResponse<String> raw) {

		Response(HttpResponse<String> raw) {
			this(raw.statusCode(), raw);
		}

		public String header(String name) {
			return this.raw.headers().firstValue(name).orElse(null);
		}

		public JsonNode json() {
			return json.readTree(this.raw.body());
		}

		public String text(String field) {
			JsonNode value = json().get(field);
			return (value != null) ? value.asString() : null;
		}

		public String contentType() {
			return header("Content-Type");
		}

		public String problemType() {
			return text("type");
		}

	}

}

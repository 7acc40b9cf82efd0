package com.bookingmonitor.loadgen;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An in-memory stand-in for booking-api's HTTP contract, for one event, so the load
 * generator's counting and checks can be tested against responses the test controls. The
 * real services are exercised by the demo and by system-tests.
 */
final class FakeBookingApi implements AutoCloseable {

	static final String SOLD_OUT_TYPE = "https://booking-monitor.example/problems/sold-out";

	static final String LIMIT_REACHED_TYPE = "https://booking-monitor.example/problems/user-limit-reached";

	private static final long EVENT_ID = 7;

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpServer server;

	private final int perUserLimit;

	private final int failEveryNthBooking;

	private final boolean confirms;

	private final Map<String, Integer> ticketsByUser = new HashMap<>();

	private final AtomicInteger bookingRequests = new AtomicInteger();

	private int capacity;

	private int available;

	private volatile String adminAuthorization;

	/**
	 * Starts the fake on a free port of 127.0.0.1.
	 * @param perUserLimit tickets one user may book
	 * @param failEveryNthBooking respond to every n-th booking request with 500, or 0 for
	 * never
	 * @param confirms whether accepted tickets show up as confirmed, as if a consumer
	 * persisted them at once
	 */
	FakeBookingApi(int perUserLimit, int failEveryNthBooking, boolean confirms) {
		this.perUserLimit = perUserLimit;
		this.failEveryNthBooking = failEveryNthBooking;
		this.confirms = confirms;
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		this.server.createContext("/events", this::handleEvents);
		this.server.createContext("/book", this::handleBook);
		this.server.start();
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** Returns the Authorization header of the last {@code POST /events}. */
	String adminAuthorization() {
		return this.adminAuthorization;
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

	private void handleEvents(HttpExchange exchange) throws IOException {
		if ("POST".equals(exchange.getRequestMethod())) {
			this.adminAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
			JsonNode request = this.json.readTree(exchange.getRequestBody());
			int capacity = request.required("capacity").asInt();
			synchronized (this) {
				this.capacity = capacity;
				this.available = capacity;
			}
			respond(exchange, 201,
					Map.of("id", EVENT_ID, "name", request.required("name").asString(), "capacity", capacity));
			return;
		}
		Map<String, Object> status;
		synchronized (this) {
			int sold = this.capacity - this.available;
			status = Map.of("id", EVENT_ID, "capacity", this.capacity, "available", this.available, "confirmed",
					this.confirms ? sold : 0);
		}
		respond(exchange, 200, status);
	}

	private void handleBook(HttpExchange exchange) throws IOException {
		JsonNode request = this.json.readTree(exchange.getRequestBody());
		if (this.failEveryNthBooking > 0 && this.bookingRequests.incrementAndGet() % this.failEveryNthBooking == 0) {
			respond(exchange, 500, Map.of("title", "Internal Server Error"));
			return;
		}
		String userId = request.required("userId").asString();
		int quantity = request.required("quantity").asInt();
		String rejection = reserve(userId, quantity);
		if (rejection != null) {
			respond(exchange, 409, Map.of("type", rejection, "status", 409));
			return;
		}
		respond(exchange, 202,
				Map.of("eventId", EVENT_ID, "userId", userId, "quantity", quantity, "status", "PENDING"));
	}

	/** Reserves the tickets and returns null, or returns the problem type of the 409. */
	private synchronized String reserve(String userId, int quantity) {
		int booked = this.ticketsByUser.getOrDefault(userId, 0);
		if (booked + quantity > this.perUserLimit) {
			return LIMIT_REACHED_TYPE;
		}
		if (quantity > this.available) {
			return SOLD_OUT_TYPE;
		}
		this.available -= quantity;
		this.ticketsByUser.put(userId, booked + quantity);
		return null;
	}

	private void respond(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
		byte[] bytes = this.json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
		String contentType = (status >= 400) ? "application/problem+json" : "application/json";
		exchange.getResponseHeaders().set("Content-Type", contentType);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

}

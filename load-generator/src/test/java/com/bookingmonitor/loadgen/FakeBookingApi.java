package com.bookingmonitor.loadgen;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An in-memory stand-in for booking-api's HTTP contract, for one event, so the load
 * generator's counting, retries and checks can be tested against responses the test
 * controls. The real services are exercised by the demo and by system-tests.
 */
final class FakeBookingApi implements AutoCloseable {

	static final String SOLD_OUT_TYPE = "https://booking-monitor.example/problems/sold-out";

	static final String LIMIT_REACHED_TYPE = "https://booking-monitor.example/problems/user-limit-reached";

	static final String OUTCOME_UNKNOWN_TYPE = "https://booking-monitor.example/problems/outcome-unknown";

	private static final long EVENT_ID = 7;

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpServer server;

	private final int perUserLimit;

	private final Fault fault;

	private final int faultEveryNth;

	private final boolean confirms;

	private final Map<String, Integer> ticketsByUser = new HashMap<>();

	private final Set<String> seenKeys = new HashSet<>();

	private final Set<String> bookedKeys = new HashSet<>();

	private int capacity;

	private int available;

	private volatile String adminAuthorization;

	/**
	 * Starts the fake on a free port of 127.0.0.1.
	 * @param perUserLimit tickets one user may book
	 * @param fault what goes wrong with the first attempt of every n-th booking
	 * @param faultEveryNth the n, counted over distinct idempotency keys
	 * @param confirms whether accepted tickets show up as confirmed, as if a consumer
	 * persisted them at once
	 */
	FakeBookingApi(int perUserLimit, Fault fault, int faultEveryNth, boolean confirms) {
		this.perUserLimit = perUserLimit;
		this.fault = fault;
		this.faultEveryNth = faultEveryNth;
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

	/** Starts a fake where nothing goes wrong. */
	FakeBookingApi(int perUserLimit, boolean confirms) {
		this(perUserLimit, Fault.NONE, 1, confirms);
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
		String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
		boolean faulty = isFirstAttemptToFail(key);
		if (faulty && this.fault == Fault.INTERNAL_ERROR) {
			respond(exchange, 500, Map.of("title", "Internal Server Error"));
			return;
		}

		String userId = request.required("userId").asString();
		int quantity = request.required("quantity").asInt();
		String rejection = reserve(key, userId, quantity);

		if (faulty && this.fault == Fault.OUTCOME_UNKNOWN) {
			// Booked or not, the client cannot tell, as when Redis replies too late.
			exchange.getResponseHeaders().set("Retry-After", "0");
			respond(exchange, 503, Map.of("type", OUTCOME_UNKNOWN_TYPE, "status", 503));
		}
		else if (rejection != null) {
			respond(exchange, 409, Map.of("type", rejection, "status", 409));
		}
		else {
			respond(exchange, 202,
					Map.of("eventId", EVENT_ID, "userId", userId, "quantity", quantity, "status", "PENDING"));
		}
	}

	private synchronized boolean isFirstAttemptToFail(String key) {
		return this.fault != Fault.NONE && this.seenKeys.add(key) && this.seenKeys.size() % this.faultEveryNth == 0;
	}

	/**
	 * Reserves the tickets, or replays a booking made with the same key, and returns
	 * null. Returns the problem type of the 409 when nothing can be booked.
	 */
	private synchronized String reserve(String key, String userId, int quantity) {
		if (this.bookedKeys.contains(key)) {
			return null;
		}
		int booked = this.ticketsByUser.getOrDefault(userId, 0);
		if (booked + quantity > this.perUserLimit) {
			return LIMIT_REACHED_TYPE;
		}
		if (quantity > this.available) {
			return SOLD_OUT_TYPE;
		}
		this.available -= quantity;
		this.ticketsByUser.put(userId, booked + quantity);
		this.bookedKeys.add(key);
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

	/** What goes wrong with a faulty booking request. */
	enum Fault {

		NONE,

		/** Responds 500 without booking. */
		INTERNAL_ERROR,

		/**
		 * Books, or rejects, as usual, but responds 503 {@code outcome-unknown} with
		 * {@code Retry-After: 0}.
		 */
		OUTCOME_UNKNOWN

	}

}

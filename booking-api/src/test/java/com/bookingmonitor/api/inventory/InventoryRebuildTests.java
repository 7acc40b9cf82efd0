package com.bookingmonitor.api.inventory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient;
import com.bookingmonitor.api.ApiClient.Response;
import com.bookingmonitor.api.TestServers;
import com.bookingmonitor.api.event.Event;
import com.bookingmonitor.common.BookingEvent;
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
import static org.awaitility.Awaitility.await;

/**
 * Lost inventory keys, the drift check and the sold-out fast path, against the test's own
 * Redis and database. The drift check's schedule is slowed down so that the tests run it
 * themselves.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "booking.api.inventory.drift-check-interval=1h")
@DirtiesContext
class InventoryRebuildTests {

	private static final String PROBLEM_BASE = "https://booking-monitor.example/problems/";

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresDatabase database = PostgresDatabase.create();

	private static final RedisClient redisClient = RedisClient.create(redis.uri());

	private static final StatefulRedisConnection<String, String> redisConnection = redisClient.connect();

	private final RedisCommands<String, String> commands = redisConnection.sync();

	@Autowired
	private RedisKeys keys;

	@Autowired
	private InventoryDriftCheck driftCheck;

	@Autowired
	private InventoryRebuilder rebuilder;

	@Autowired
	private InFlightBookings inFlight;

	@Autowired
	private MeterRegistry registry;

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
	void deletedKeyIsRebuiltToExactValue() throws SQLException {
		long eventId = createEvent(50);
		UUID persisted = UUID.fromString(this.api.book(eventId, "u-1", 3).text("bookingId"));
		this.api.book(eventId, "u-2", 2);
		this.api.book(eventId, "u-1", 1);
		persistLikeConsumer(persisted, eventId);
		// 50 - 3 persisted - 3 in flight
		long expected = 44;
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo(Long.toString(expected));

		this.commands.del(this.keys.inventory(eventId), this.keys.eventKey(eventId, "user-tickets"));

		Response duringRebuild = this.api.book(eventId, "u-3", 1);
		assertThat(duringRebuild.status()).isEqualTo(503);
		assertThat(duringRebuild.problemType()).isEqualTo(PROBLEM_BASE + "inventory-unavailable");
		assertThat(duringRebuild.header("Retry-After")).isEqualTo("1");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.commands.get(this.keys.inventory(eventId)) != null);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo(Long.toString(expected));
		assertThat(this.commands.hgetall(this.keys.eventKey(eventId, "user-tickets")))
			.isEqualTo(Map.of("u-1", "4", "u-2", "2"));
		assertThat(this.commands.ttl(this.keys.eventKey(eventId, "user-tickets"))).isEqualTo(-1);
		assertThat(this.api.book(eventId, "u-1", 1).status()).isEqualTo(409);
		assertThat(this.api.book(eventId, "u-3", 1).status()).isEqualTo(202);
	}

	@Test
	void rebuildNeverOverwritesExistingKey() {
		long eventId = createEvent(50);
		this.commands.set(this.keys.inventory(eventId), "7");

		InventoryRebuilder.Result result = this.rebuilder.rebuild(new Event(eventId, "Event", 50));

		assertThat(result).isEqualTo(InventoryRebuilder.Result.PRESENT);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("7");
	}

	@Test
	void heldLockDefersRebuild() {
		long eventId = createEvent(50);
		this.commands.del(this.keys.inventory(eventId));
		this.commands.set(this.keys.eventKey(eventId, "rebuild-lock"), "other-instance");

		InventoryRebuilder.Result result = this.rebuilder.rebuild(new Event(eventId, "Event", 50));

		assertThat(result).isEqualTo(InventoryRebuilder.Result.LOCKED);
		assertThat(this.commands.exists(this.keys.inventory(eventId))).isZero();
		this.commands.del(this.keys.eventKey(eventId, "rebuild-lock"));
	}

	@Test
	void concurrentRebuildsInstallOnce() throws Exception {
		long eventId = createEvent(50);
		this.api.book(eventId, "u-1", 4);
		this.commands.del(this.keys.inventory(eventId));
		Event event = new Event(eventId, "Event", 50);
		CountDownLatch start = new CountDownLatch(1);

		List<InventoryRebuilder.Result> results = new ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<InventoryRebuilder.Result>> futures = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				futures.add(executor.submit(() -> {
					start.await();
					return this.rebuilder.rebuild(event);
				}));
			}
			start.countDown();
			for (Future<InventoryRebuilder.Result> future : futures) {
				results.add(future.get());
			}
		}

		assertThat(results).filteredOn((result) -> result == InventoryRebuilder.Result.REBUILT).hasSize(1);
		assertThat(results).isSubsetOf(InventoryRebuilder.Result.REBUILT, InventoryRebuilder.Result.LOCKED,
				InventoryRebuilder.Result.PRESENT);
		assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("46");
	}

	@Test
	void eventViewWaitsForRebuild() {
		long eventId = createEvent(20);
		this.commands.del(this.keys.inventory(eventId));

		Response during = this.api.get("/events/" + eventId);

		assertThat(during.status()).isEqualTo(503);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			Response after = this.api.get("/events/" + eventId);
			assertThat(after.status()).isEqualTo(200);
			assertThat(after.json().get("available").asLong()).isEqualTo(20);
		});
	}

	@Test
	void driftCheckReportsLostTickets() {
		long eventId = createEvent(30);
		String bookingId = this.api.book(eventId, "u-1", 2).text("bookingId");
		this.api.book(eventId, "u-2", 1);

		assertThat(this.driftCheck.run()).containsEntry(eventId, 0L);
		assertThat(driftGauge(eventId)).isEqualTo(0.0);
		assertThat(availableGauge(eventId)).isEqualTo(27.0);

		// A pending booking that vanishes without reaching PostgreSQL loses its tickets.
		this.commands.hdel(this.keys.pendingBookingsOfEvent(eventId), bookingId);

		assertThat(this.driftCheck.run()).containsEntry(eventId, 2L);
		assertThat(driftGauge(eventId)).isEqualTo(2.0);
	}

	@Test
	void pendingScanStopsWhenStale() {
		long eventId = createEvent(10_000);
		Map<String, String> fields = new HashMap<>();
		for (int i = 0; i < 3000; i++) {
			UUID bookingId = UUID.randomUUID();
			fields.put(bookingId.toString(),
					PendingBooking.of(new BookingEvent(bookingId, eventId, "u-" + i, 1, Instant.now())).encode());
		}
		this.commands.hset(this.keys.pendingBookingsOfEvent(eventId), fields);
		int partition = this.keys.partitionOf(eventId);
		AtomicInteger pages = new AtomicInteger();

		assertThat(this.inFlight.of(partition, Set.of(eventId), () -> pages.incrementAndGet() > 0)).isNull();
		assertThat(pages).hasValue(1);
		assertThat(this.inFlight.of(partition, Set.of(eventId), () -> false)).hasSize(3000);
	}

	@Test
	void returnedTicketsBecomeBookable() {
		long eventId = createEvent(1);
		assertThat(this.api.book(eventId, "u-1", 1).status()).isEqualTo(202);
		assertThat(this.api.book(eventId, "u-2", 1).status()).isEqualTo(409);

		// What the consumer does when it dead-letters a booking.
		this.commands.incrby(this.keys.inventory(eventId), 1);

		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.api.book(eventId, "u-2", 1).status()).isEqualTo(202));
	}

	@Test
	void rebuildsAreCounted() {
		double before = this.registry.get("booking.inventory.rebuilds").counter().count();
		long eventId = createEvent(5);
		this.commands.del(this.keys.inventory(eventId));

		this.rebuilder.rebuild(new Event(eventId, "Event", 5));

		assertThat(this.registry.get("booking.inventory.rebuilds").counter().count()).isEqualTo(before + 1);
	}

	private double driftGauge(long eventId) {
		return this.registry.get("booking.inventory.drift").tag("event", Long.toString(eventId)).gauge().value();
	}

	private double availableGauge(long eventId) {
		return this.registry.get("booking.inventory.available").tag("event", Long.toString(eventId)).gauge().value();
	}

	private long createEvent(int capacity) {
		Response created = this.api.post("/events", ApiClient.toJson(Map.of("name", "Event", "capacity", capacity)));
		assertThat(created.status()).isEqualTo(201);
		return created.json().get("id").asLong();
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

}

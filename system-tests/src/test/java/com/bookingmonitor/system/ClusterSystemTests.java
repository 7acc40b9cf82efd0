package com.bookingmonitor.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.consumer.stream.StreamConsumer;
import com.bookingmonitor.system.ClusterApi.Booking;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisCluster;
import com.bookingmonitor.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Both services, unchanged, on a three-master Redis Cluster selected only by
 * {@code spring.data.redis.cluster.nodes}: a flash sale over HTTP on events of every
 * master, an idempotency storm, a consumer killed with SIGKILL, and, run last, a check
 * that no call of the whole run was rejected with CROSSSLOT.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSystemTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final String GROUP = "booking-persisters";

	/**
	 * Output of the services and of every child consumer, kept for the CROSSSLOT check.
	 */
	private static final StringBuffer output = new StringBuffer();

	private static final List<String> childOutput = new CopyOnWriteArrayList<>();

	private static RedisCluster cluster;

	private static PostgresDatabase database;

	private static SystemUnderTest system;

	private static RedisKeys keys;

	private static ClusterApi api;

	private static RedisClusterClient clusterClient;

	private static StatefulRedisClusterConnection<String, String> clusterConnection;

	private static RedisAdvancedClusterCommands<String, String> redis;

	@BeforeAll
	static void startSystem() {
		cluster = RedisCluster.start(3);
		database = PostgresDatabase.create();
		// A short claim-min-idle lets the test's consumer claim a killed consumer's
		// entries within a second rather than the default 30 s.
		system = SystemUnderTest.start(cluster.nodes().get(0), database,
				Map.of("spring.data.redis.cluster.nodes", cluster.seedNodes(), "booking.consumer.claim-min-idle",
						"500ms", "booking.consumer.claim-interval", "200ms"));
		keys = system.api().getBean(RedisKeys.class);
		api = new ClusterApi(system, database);
		RedisServer seed = cluster.nodes().get(0);
		clusterClient = RedisClusterClient.create(RedisURI.create(seed.host(), seed.port()));
		clusterConnection = clusterClient.connect();
		redis = clusterConnection.sync();
	}

	@AfterAll
	static void stopSystem() {
		if (clusterConnection != null) {
			clusterConnection.close();
			clusterClient.shutdown();
		}
		if (system != null) {
			system.close();
		}
		if (database != null) {
			database.close();
		}
		if (cluster != null) {
			cluster.close();
		}
	}

	@AfterEach
	void keepOutput(CapturedOutput captured) {
		output.append(captured.getAll());
	}

	@Test
	@Order(1)
	void servicesFollowClusterTopology() {
		for (ConfigurableApplicationContext service : List.of(system.api(), system.consumer())) {
			LettuceConnectionFactory factory = service.getBean(LettuceConnectionFactory.class);
			ClusterClientOptions options = (ClusterClientOptions) factory.getClientConfiguration()
				.getClientOptions()
				.orElseThrow();
			ClusterTopologyRefreshOptions refresh = options.getTopologyRefreshOptions();
			String name = service.getId();

			assertThat(factory.getRequiredNativeClient()).as(name).isInstanceOf(RedisClusterClient.class);
			assertThat(refresh.isPeriodicRefreshEnabled()).as(name).isTrue();
			assertThat(refresh.getRefreshPeriod()).as(name).isEqualTo(Duration.ofSeconds(10));
			assertThat(refresh.getAdaptiveRefreshTriggers()).as(name)
				.containsExactlyInAnyOrder(RefreshTrigger.values());
		}
	}

	@Test
	@Order(2)
	void flashSaleOnEveryMasterSellsEachTicketOnce() throws Exception {
		int capacity = 25;
		int requestsPerEvent = 150;
		List<Long> events = api.createEvents(keys.partitions(), capacity);

		Map<Long, String> masterByEvent = new LinkedHashMap<>();
		events.forEach((event) -> masterByEvent.put(event, masterOf(keys.inventory(event))));
		assertThat(Set.copyOf(masterByEvent.values())).as("masters that own an event")
			.containsExactlyInAnyOrderElementsOf(masters());

		// One ticket per request and per user, so only the inventory decides who gets
		// one.
		List<Booking> bookings = new ArrayList<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(48)) {
			List<Future<Booking>> futures = new ArrayList<>();
			for (int i = 0; i < events.size() * requestsPerEvent; i++) {
				long event = events.get(i % events.size());
				String user = "sale-user-" + i;
				futures.add(clients.submit(() -> api.book(event, user, 1, Map.of())));
			}
			for (Future<Booking> future : futures) {
				bookings.add(future.get());
			}
		}

		Map<Integer, Long> countByStatus = bookings.stream()
			.collect(Collectors.groupingBy(Booking::status, Collectors.counting()));
		assertThat(countByStatus).containsOnlyKeys(202, 409);
		Map<Long, List<UUID>> acceptedByEvent = bookings.stream()
			.filter((booking) -> booking.status() == 202)
			.collect(Collectors.groupingBy(Booking::eventId,
					Collectors.mapping(Booking::bookingId, Collectors.toList())));
		for (long event : events) {
			assertThat(acceptedByEvent.get(event)).as("accepted bookings of event %d", event).hasSize(capacity);
		}
		List<UUID> accepted = acceptedByEvent.values().stream().flatMap(List::stream).toList();
		assertThat(accepted).doesNotHaveDuplicates();

		await().atMost(TIMEOUT).until(() -> api.persistedIds(events).size() == accepted.size());
		assertThat(api.persistedIds(events)).containsExactlyInAnyOrderElementsOf(accepted);
		for (long event : events) {
			JsonNode state = api.getEvent(event);
			assertThat(state.required("available").asLong()).as("available of event %d", event).isZero();
			assertThat(state.required("confirmed").asLong()).as("confirmed of event %d", event).isEqualTo(capacity);
		}
	}

	@Test
	@Order(3)
	void idempotencyStormOnEveryMasterBooksOnce() throws Exception {
		int requests = 20;
		List<Long> events = api.createEvents(keys.partitions(), 10);
		Map<String, Long> eventByMaster = new HashMap<>();
		events.forEach((event) -> eventByMaster.putIfAbsent(masterOf(keys.inventory(event)), event));
		assertThat(eventByMaster).containsOnlyKeys(masters());

		for (long event : eventByMaster.values()) {
			Map<String, String> headers = Map.of("Idempotency-Key", "storm-" + event);
			CountDownLatch start = new CountDownLatch(1);
			List<Booking> bookings = new ArrayList<>();
			try (ExecutorService clients = Executors.newFixedThreadPool(requests)) {
				List<Future<Booking>> futures = new ArrayList<>();
				for (int i = 0; i < requests; i++) {
					futures.add(clients.submit(() -> {
						start.await();
						return api.book(event, "storm-user", 2, headers);
					}));
				}
				start.countDown();
				for (Future<Booking> future : futures) {
					bookings.add(future.get());
				}
			}

			assertThat(bookings).extracting(Booking::status).containsOnly(202);
			assertThat(bookings).extracting(Booking::bookingId).containsOnly(bookings.get(0).bookingId());
			assertThat(bookings).filteredOn(Booking::replayed).hasSize(requests - 1);
			assertThat(api.getEvent(event).required("available").asLong()).isEqualTo(8);
			await().atMost(TIMEOUT).until(() -> api.persistedIds(List.of(event)).size() == 1);
			assertThat(api.persistedIds(List.of(event))).containsExactly(bookings.get(0).bookingId());
		}
	}

	/**
	 * Stops the test's consumer, lets a child consumer take every booking and kills it
	 * with SIGKILL at a pause point. The test's consumer, started again, claims the dead
	 * consumer's pending entries in every partition and persists each booking once.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "after-read", "after-commit" })
	@Order(4)
	void killedConsumersEntriesAreClaimed(String pausePoint) throws Exception {
		StreamConsumer consumer = system.consumer().getBean(StreamConsumer.class);
		MeterRegistry metrics = system.consumer().getBean(MeterRegistry.class);
		double claimedBefore = metrics.get("consumer.entries.claimed").counter().count();
		double duplicatesBefore = metrics.get("consumer.bookings.duplicates").counter().count();
		List<Long> events = api.createEvents(keys.partitions(), 100);
		Set<UUID> accepted = new HashSet<>();

		consumer.stop();
		try {
			accepted.addAll(bookEach(events, 20));
			try (ClusterConsumerProcess crashing = ClusterConsumerProcess
				.start(List.of("--spring.data.redis.cluster.nodes=" + cluster.seedNodes(),
						"--spring.datasource.url=" + database.jdbcUrl(),
						"--spring.datasource.username=" + database.username(),
						"--spring.datasource.password=" + database.password(),
						"--booking.consumer.name=crashing-" + pausePoint,
						"--booking.consumer.fault.pause-at=" + pausePoint))) {
				crashing.awaitLine("Fault injection: paused " + pausePoint, TIMEOUT);
				await().atMost(TIMEOUT).until(() -> pendingEntries() == accepted.size());
				if (pausePoint.equals("after-commit")) {
					await().atMost(TIMEOUT).until(() -> api.persistedIds(events).size() == accepted.size());
				}
				crashing.kill();
				childOutput.addAll(crashing.output());
			}

			assertThat(pendingEntries()).isEqualTo(accepted.size());
			assertThat(api.persistedIds(events)).hasSize(pausePoint.equals("after-read") ? 0 : accepted.size());
		}
		finally {
			consumer.start();
		}

		await().atMost(TIMEOUT).until(() -> api.persistedIds(events).size() == accepted.size());
		await().atMost(TIMEOUT).until(() -> pendingEntries() == 0 && pendingBookings() == 0);
		assertThat(api.persistedIds(events)).containsExactlyInAnyOrderElementsOf(accepted);
		double claimed = metrics.get("consumer.entries.claimed").counter().count() - claimedBefore;
		double duplicates = metrics.get("consumer.bookings.duplicates").counter().count() - duplicatesBefore;
		assertThat(claimed).isGreaterThanOrEqualTo(accepted.size());
		if (pausePoint.equals("after-commit")) {
			assertThat(duplicates).isGreaterThanOrEqualTo(accepted.size());
		}
	}

	@Test
	@Order(5)
	void noCallRaisedCrossSlot(CapturedOutput captured) {
		output.append(captured.getAll());

		assertThat(output.toString()).as("output of both services").doesNotContain("CROSSSLOT");
		assertThat(childOutput).as("output of the child consumers").noneMatch((line) -> line.contains("CROSSSLOT"));
		RedisClient client = RedisClient.create();
		try {
			for (RedisServer node : cluster.nodes()) {
				try (StatefulRedisConnection<String, String> connection = client.connect(RedisURI.create(node.uri()))) {
					assertThat(crossSlotErrors(connection)).as("CROSSSLOT errors of %s", node.uri()).isZero();
					assertThat(connection.sync().dbsize()).as("keys on %s", node.uri()).isPositive();
				}
			}

			// Control: a multi-key command across slots is counted, so the zeros above
			// are not a misread statistic.
			try (StatefulRedisConnection<String, String> connection = client
				.connect(RedisURI.create(cluster.nodes().get(0).uri()))) {
				assertThatExceptionOfType(RedisCommandExecutionException.class)
					.isThrownBy(() -> connection.sync().mset(Map.of("a", "1", "b", "2")))
					.withMessageStartingWith("CROSSSLOT");
				assertThat(crossSlotErrors(connection)).isEqualTo(1);
			}
		}
		finally {
			client.shutdown();
		}
	}

	/**
	 * Reads {@code errorstat_CROSSSLOT:count=N} of INFO errorstats. A missing line means
	 * 0.
	 */
	private static long crossSlotErrors(StatefulRedisConnection<String, String> connection) {
		return connection.sync()
			.info("errorstats")
			.lines()
			.filter((line) -> line.startsWith("errorstat_CROSSSLOT:"))
			.mapToLong((line) -> Long.parseLong(line.replaceAll(".*count=(\\d+).*", "$1")))
			.sum();
	}

	private static Set<String> masters() {
		return cluster.nodes().stream().map((node) -> node.host() + ":" + node.port()).collect(Collectors.toSet());
	}

	private static String masterOf(String key) {
		return ClusterApi.masterOf(redis, key);
	}

	/** Entries delivered to the group and not acknowledged, over every partition. */
	private static long pendingEntries() {
		return keys.streams().stream().mapToLong((stream) -> redis.xpending(stream, GROUP).getCount()).sum();
	}

	/** Bookings accepted and not yet persisted, over every partition. */
	private static long pendingBookings() {
		long count = 0;
		for (int partition = 0; partition < keys.partitions(); partition++) {
			count += redis.hlen(keys.pendingBookings(partition));
		}
		return count;
	}

	/** Books one ticket per user, {@code perEvent} times for each event. */
	private static Set<UUID> bookEach(List<Long> events, int perEvent) throws Exception {
		Set<UUID> accepted = new HashSet<>();
		try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
			List<Future<Booking>> futures = new ArrayList<>();
			for (long event : events) {
				for (int i = 0; i < perEvent; i++) {
					String user = "crash-user-" + i;
					futures.add(clients.submit(() -> api.book(event, user, 1, Map.of())));
				}
			}
			for (Future<Booking> future : futures) {
				Booking booking = future.get();
				assertThat(booking.status()).isEqualTo(202);
				accepted.add(booking.bookingId());
			}
		}
		return accepted;
	}

}

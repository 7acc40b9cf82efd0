package com.bookingmonitor.api;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient.Response;
import com.bookingmonitor.api.inventory.InventoryDriftCheck;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisCluster;

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
 * The unchanged application on a three-master Redis Cluster, selected only by
 * {@code spring.data.redis.cluster.nodes}: bookings, status reads across partitions on
 * different masters, replays, rebuilds and the drift check.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "booking.api.inventory.drift-check-interval=1h")
@DirtiesContext
class RedisClusterBookingTests {

	private static final RedisCluster cluster = RedisCluster.start(3);

	private static final PostgresDatabase database = PostgresDatabase.create();

	private static final RedisClusterClient clusterClient = RedisClusterClient
		.create(RedisURI.create(cluster.nodes().get(0).uri()));

	private static final StatefulRedisClusterConnection<String, String> clusterConnection = clusterClient.connect();

	private final RedisAdvancedClusterCommands<String, String> commands = clusterConnection.sync();

	@Autowired
	private RedisKeys keys;

	@Autowired
	private RedisLink link;

	@Autowired
	private InventoryDriftCheck driftCheck;

	@LocalServerPort
	private int port;

	private ApiClient api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.cluster.nodes", cluster::seedNodes);
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
	}

	@AfterAll
	static void stopServers() {
		clusterConnection.close();
		clusterClient.shutdown();
		cluster.close();
		database.close();
	}

	@BeforeEach
	void createClient() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void applicationUsesClusterConnection() {
		assertThat(this.link.isCluster()).isTrue();
	}

	@Test
	void bookingsWorkInEveryPartition() {
		Set<Integer> partitions = new HashSet<>();
		for (int i = 0; i < this.keys.partitions(); i++) {
			long eventId = createEvent(10);
			partitions.add(this.keys.partitionOf(eventId));

			Response booking = this.api.book(eventId, "u-1", 2, "Idempotency-Key", "cluster-" + eventId);
			Response replay = this.api.book(eventId, "u-1", 2, "Idempotency-Key", "cluster-" + eventId);
			Response status = this.api.get("/bookings/" + booking.text("bookingId"));

			assertThat(booking.status()).isEqualTo(202);
			assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
			assertThat(replay.text("bookingId")).isEqualTo(booking.text("bookingId"));
			assertThat(status.text("status")).isEqualTo("PENDING");
			assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("8");
			assertThat(this.api.book(eventId, "u-2", 9).status()).isEqualTo(409);
		}
		assertThat(partitions).hasSize(this.keys.partitions());
	}

	@Test
	void lostKeyIsRebuiltOnCluster() {
		long eventId = createEvent(30);
		this.api.book(eventId, "u-1", 3);
		this.commands.del(this.keys.inventory(eventId));

		assertThat(this.api.book(eventId, "u-2", 1).status()).isEqualTo(503);

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.commands.get(this.keys.inventory(eventId))).isEqualTo("27"));
		assertThat(this.driftCheck.run()).containsEntry(eventId, 0L);
	}

	@Test
	void readinessIsUpOnCluster() {
		Response readiness = this.api.get("/actuator/health/readiness");

		assertThat(readiness.status()).isEqualTo(200);
		assertThat(readiness.text("status")).isEqualTo("UP");
	}

	private long createEvent(int capacity) {
		Response created = this.api.post("/events", ApiClient.toJson(Map.of("name", "Event", "capacity", capacity)));
		assertThat(created.status()).isEqualTo(201);
		return created.json().get("id").asLong();
	}

}

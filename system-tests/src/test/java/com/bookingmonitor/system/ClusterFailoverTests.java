package com.bookingmonitor.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.system.ClusterApi.Booking;
import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisCluster;
import com.bookingmonitor.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A master of the cluster is killed with SIGKILL and its replica takes over. Both
 * services follow the new topology through Lettuce's topology refresh, without a restart:
 * bookings of the lost master's partitions resume and reach PostgreSQL.
 */
class ClusterFailoverTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Map<Integer, StatefulRedisConnection<String, String>> connections = new ConcurrentHashMap<>();

	private static RedisCluster cluster;

	private static RedisServer replica;

	private static RedisClient client;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start(3);
		// The same settings as the cluster's nodes: a failover starts 5 s after the
		// master stops replying.
		replica = RedisServer.start(null, "--save", "", "--appendonly", "no", "--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000");
		client = RedisClient.create();
	}

	@AfterAll
	static void stopCluster() {
		if (client != null) {
			client.shutdown();
		}
		if (replica != null) {
			replica.close();
		}
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void servicesFollowFailoverToReplica() throws Exception {
		try (PostgresDatabase database = PostgresDatabase.create();
				SystemUnderTest system = SystemUnderTest.start(cluster.nodes().get(0), database,
						Map.of("spring.data.redis.cluster.nodes", cluster.seedNodes()));
				RedisClusterClient clusterClient = RedisClusterClient
					.create(RedisURI.create(cluster.nodes().get(0).uri()));
				StatefulRedisClusterConnection<String, String> connection = clusterClient.connect()) {
			// The worst case: the master behind booking-api's default cluster connection,
			// which Lettuce uses for commands without a key, such as CLUSTER MYID.
			String defaultNodeId = system.api().getBean(RedisLink.class).sync().clusterMyId();
			RedisServer victim = cluster.nodes()
				.stream()
				.filter((node) -> commands(node).clusterMyId().equals(defaultNodeId))
				.findFirst()
				.orElseThrow();
			String victimAddress = victim.host() + ":" + victim.port();
			attachReplica(victim);
			ClusterApi api = new ClusterApi(system, database);
			RedisKeys keys = system.api().getBean(RedisKeys.class);
			List<Long> events = api.createEvents(keys.partitions(), 1_000);
			long lostEvent = events.stream()
				.filter((event) -> ClusterApi.masterOf(connection.sync(), keys.inventory(event)).equals(victimAddress))
				.findFirst()
				.orElseThrow();
			long keptEvent = events.stream()
				.filter((event) -> !ClusterApi.masterOf(connection.sync(), keys.inventory(event)).equals(victimAddress))
				.findFirst()
				.orElseThrow();
			AtomicInteger users = new AtomicInteger();
			assertThat(api.book(lostEvent, "user-" + users.incrementAndGet(), 1, Map.of()).status()).isEqualTo(202);

			victim.kill();

			// The victim also carried booking-api's default cluster connection, so this
			// proves that bookings on the surviving masters go on during the failover.
			assertThat(api.book(keptEvent, "user-" + users.incrementAndGet(), 1, Map.of()).status()).isEqualTo(202);

			List<Integer> statusesDuringFailover = new ArrayList<>();
			await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
				int status = api.book(lostEvent, "user-" + users.incrementAndGet(), 1, Map.of()).status();
				statusesDuringFailover.add(status);
				return status == 202;
			});
			assertThat(statusesDuringFailover).containsOnly(503, 202);
			assertThat(replication(replica)).contains("role:master");
			assertThat(api.book(keptEvent, "user-" + users.incrementAndGet(), 1, Map.of()).status()).isEqualTo(202);

			Set<UUID> accepted = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				Booking booking = api.book(lostEvent, "user-" + users.incrementAndGet(), 1, Map.of());
				assertThat(booking.status()).isEqualTo(202);
				accepted.add(booking.bookingId());
			}
			await().atMost(TIMEOUT).until(() -> api.persistedIds(List.of(lostEvent)).containsAll(accepted));
		}
	}

	/**
	 * Joins the spare node to the cluster as the replica of a master, the steps of
	 * {@code redis-cli --cluster add-node --cluster-slave}, and waits until it has copied
	 * the master's data and every master lists it in {@code CLUSTER NODES}.
	 */
	private static void attachReplica(RedisServer master) {
		String masterId = commands(master).clusterMyId();
		RedisCommands<String, String> replicaCommands = commands(replica);
		replicaCommands.clusterMeet(master.host(), master.port());
		await().atMost(TIMEOUT).until(() -> replicaCommands.clusterNodes().contains(masterId));
		replicaCommands.clusterReplicate(masterId);

		String replicaId = replicaCommands.clusterMyId();
		await().atMost(TIMEOUT).until(() -> replication(replica).contains("master_link_status:up"));
		for (RedisServer node : cluster.nodes()) {
			await().atMost(TIMEOUT)
				.until(() -> commands(node).clusterNodes()
					.lines()
					.anyMatch((line) -> line.startsWith(replicaId) && line.contains("slave " + masterId)));
		}
	}

	private static String replication(RedisServer node) {
		return commands(node).info("replication");
	}

	/** Commands on one node; the connections close with the client. */
	private static RedisCommands<String, String> commands(RedisServer node) {
		return connections.computeIfAbsent(node.port(), (port) -> client.connect(RedisURI.create(node.uri()))).sync();
	}

}

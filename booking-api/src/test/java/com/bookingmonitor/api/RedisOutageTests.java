package com.bookingmonitor.api;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.ApiClient.Response;
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
 * Fail-closed behaviour: while the test's own Redis is down, bookings return 503 and
 * never 202, and they resume on the same application once Redis is back, although the
 * restarted Redis has lost the script (NOSCRIPT) and its data.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class RedisOutageTests {

	private static final String PROBLEM_BASE = "https://booking-monitor.example/problems/";

	/** Loops on TIME until ARGV[1] microseconds have passed, writing nothing. */
	private static final String BUSY_SCRIPT = """
			local start = redis.call('TIME')
			local now
			repeat
			  now = redis.call('TIME')
			until (now[1] - start[1]) * 1000000 + (now[2] - start[2]) >= tonumber(ARGV[1])
			return 'OK'
			""";

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresDatabase database = PostgresDatabase.create();

	@Autowired
	private RedisKeys keys;

	@LocalServerPort
	private int port;

	private ApiClient api;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		TestServers.register(registry, redis, database);
	}

	@AfterAll
	static void stopServers() {
		redis.close();
		database.close();
	}

	@BeforeEach
	void createClient() {
		this.api = new ApiClient(this.port);
	}

	@Test
	void killedRedisFailsClosedThenRecovers() {
		long eventId = createEvent(100);
		assertThat(this.api.book(eventId, "u-1", 1).status()).isEqualTo(202);

		redis.kill();

		for (int i = 0; i < 20; i++) {
			Response booking = this.api.book(eventId, "u-" + i, 1);
			assertThat(booking.status()).isEqualTo(503);
			assertThat(booking.header("Retry-After")).isEqualTo("1");
			assertThat(booking.problemType()).isIn(PROBLEM_BASE + "service-unavailable",
					PROBLEM_BASE + "outcome-unknown");
		}
		assertThat(this.api.get("/actuator/health/readiness").status()).isEqualTo(503);

		redis.restart();

		// The restarted Redis kept no data, so the event's inventory is rebuilt from
		// PostgreSQL. The same application must book again, through EVAL after NOSCRIPT.
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.api.book(eventId, "u-after", 1).status()).isEqualTo(202));
		assertThat(this.api.get("/actuator/health/readiness").status()).isEqualTo(200);
	}

	@Test
	void stoppedRedisFailsClosedThenRecovers() {
		long eventId = createEvent(100);

		redis.stop();

		Response booking = this.api.book(eventId, "u-1", 1, "Idempotency-Key", "outage-1");
		assertThat(booking.status()).isEqualTo(503);
		assertThat(booking.header("Retry-After")).isEqualTo("1");

		redis.restart();

		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.api.book(eventId, "u-1", 1, "Idempotency-Key", "outage-1").status())
				.isEqualTo(202));
		Response replay = this.api.book(eventId, "u-1", 1, "Idempotency-Key", "outage-1");
		assertThat(replay.status()).isEqualTo(202);
		assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
	}

	@Test
	void outOfMemoryRedisFailsClosed() {
		long eventId = createEvent(10);
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			// Any memory in use is over a 1-byte limit, so Redis rejects every write.
			connection.sync().configSet("maxmemory", "1");
			try {
				Response booking = this.api.book(eventId, "u-1", 1);

				assertThat(booking.status()).isEqualTo(503);
				assertThat(booking.problemType()).isEqualTo(PROBLEM_BASE + "service-unavailable");
				assertThat(connection.sync().get(this.keys.inventory(eventId))).isEqualTo("10");
			}
			finally {
				connection.sync().configSet("maxmemory", "0");
			}

			assertThat(this.api.book(eventId, "u-1", 1).status()).isEqualTo(202);
		}
		finally {
			client.shutdown();
		}
	}

	@Test
	void readinessRecoversScriptAfterRestart() {
		redis.kill();
		redis.restart();

		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.api.get("/actuator/health/readiness").status()).isEqualTo(200));
	}

	@Test
	void slowScriptReportsUnknownOutcome() throws Exception {
		long eventId = createEvent(10);
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			// Keeps Redis busy for 1.5 s, three times the 500 ms command timeout.
			RedisFuture<String> busy = connection.async()
				.eval(BUSY_SCRIPT, ScriptOutputType.STATUS, new String[0], "1500000");

			Response booking = this.api.book(eventId, "u-1", 1, "Idempotency-Key", "slow-1");

			assertThat(booking.status()).isEqualTo(503);
			assertThat(booking.problemType()).isEqualTo(PROBLEM_BASE + "outcome-unknown");
			assertThat(booking.header("Retry-After")).isEqualTo("1");
			assertThat(busy.get(10, TimeUnit.SECONDS)).isEqualTo("OK");

			// Redis ran the booking after the busy script, so the retry replays it.
			Response retry = this.api.book(eventId, "u-1", 1, "Idempotency-Key", "slow-1");
			assertThat(retry.status()).isEqualTo(202);
			assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
			assertThat(retry.text("bookingId")).isEqualTo(booking.text("bookingId"));
			assertThat(connection.sync().get(this.keys.inventory(eventId))).isEqualTo("9");
		}
		finally {
			client.shutdown();
		}
	}

	private long createEvent(int capacity) {
		Response created = this.api.post("/events",
				ApiClient.toJson(java.util.Map.of("name", "Gig", "capacity", capacity)));
		assertThat(created.status()).isEqualTo(201);
		return created.json().get("id").asLong();
	}

}

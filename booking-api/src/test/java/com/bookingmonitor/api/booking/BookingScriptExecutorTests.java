package com.bookingmonitor.api.booking;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.booking.BookingScript.Outcome;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The batching executor against a real Redis, without Spring: many concurrent calls share
 * flushes, yet each gets its own reply, and the NOSCRIPT fallback, the timeout, the
 * in-flight bound and the fail-fast while disconnected still hold.
 */
class BookingScriptExecutorTests {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

	/** Longer than the command timeout, so the calls that wait for it time out. */
	private static final Duration BLOCK = Duration.ofMillis(2500);

	private static final long EVENT = 11;

	/** Loops on TIME until ARGV[1] microseconds have passed, which blocks Redis. */
	private static final String BUSY_SCRIPT = """
			local start = redis.call('TIME')
			local now
			repeat
			  now = redis.call('TIME')
			until (now[1] - start[1]) * 1000000 + (now[2] - start[2]) >= tonumber(ARGV[1])
			return 'OK'
			""";

	private static final ClientResources resources = ClientResources.builder()
		.reconnectDelay(Delay.constant(Duration.ofMillis(50)))
		.build();

	private static final RedisServer redis = RedisServer.start();

	private static final RedisClient client = client(redis);

	/** Lettuce's default command timeout of 60 s lets it outlast a blocked Redis. */
	private static final RedisClient adminClient = RedisClient.create(resources, redis.uri());

	private static final StatefulRedisConnection<String, String> admin = adminClient.connect();

	private final RedisCommands<String, String> commands = admin.sync();

	private final RedisKeys keys = new RedisKeys("test", 8);

	private final BookingScript script = new BookingScript(this.keys, 4, 60_000);

	private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterAll
	static void stopRedis() {
		admin.close();
		adminClient.shutdown();
		client.shutdown();
		redis.close();
		resources.shutdown();
	}

	@BeforeEach
	void emptyRedis() {
		this.commands.flushall();
		this.commands.scriptFlush();
		this.commands.configResetstat();
	}

	@AfterEach
	void close() throws Exception {
		this.threads.shutdownNow();
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	@Test
	void concurrentCallsGetTheirOwnReplies() throws Exception {
		this.commands.set(this.keys.inventory(EVENT), "1500");
		BookingScriptExecutor executor = executor(client, 4096);

		await().atMost(Duration.ofSeconds(5)).until(executor::flushesOnEventLoop);

		List<BookingScript.Result> results = runConcurrently(executor, 2000);

		assertThat(executor.batching()).isTrue();
		List<BookingScript.Result> accepted = results.stream()
			.filter((result) -> result.outcome() == Outcome.ACCEPTED)
			.toList();
		assertThat(accepted).hasSize(1500);
		assertThat(results).filteredOn((result) -> result.outcome() == Outcome.SOLD_OUT).hasSize(500);
		Set<Long> remaining = new HashSet<>();
		accepted.forEach((result) -> remaining.add(result.count()));
		assertThat(remaining).as("each accepted call sees its own tickets left").hasSize(1500);
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("0");
		assertThat(this.commands.xlen(this.keys.streamOfEvent(EVENT))).isEqualTo(1500);
		assertThat(this.commands.hlen(this.keys.pendingBookingsOfEvent(EVENT))).isEqualTo(1500);
	}

	@Test
	void scriptFlushMidBurstFallsBackToEval() throws Exception {
		this.commands.set(this.keys.inventory(EVENT), "1000000");
		BookingScriptExecutor executor = executor(client, 4096);
		int rounds = 20;
		int callsPerRound = 100;

		for (int round = 0; round < rounds; round++) {
			List<Future<BookingScript.Result>> calls = submit(executor, callsPerRound);
			// SCRIPT FLUSH lands between EVALSHAs of the burst, or before all of them.
			this.commands.scriptFlush();
			for (Future<BookingScript.Result> call : calls) {
				assertThat(call.get().outcome()).isEqualTo(Outcome.ACCEPTED);
			}
		}

		int total = rounds * callsPerRound;
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo(Long.toString(1_000_000 - total));
		assertThat(this.commands.xlen(this.keys.streamOfEvent(EVENT))).isEqualTo(total);
		assertThat(commandCalls("eval")).as("EVAL fallbacks after NOSCRIPT").isPositive();
	}

	@Test
	void slowRedisMakesOutcomeUnknown() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		BookingScriptExecutor executor = executor(client, 4096);
		blockRedis();

		RedisUnavailableException ex = catchThrowableOfType(RedisUnavailableException.class,
				() -> executor.execute(call("u-1")));

		assertThat(ex).isNotNull();
		assertThat(ex.outcomeUnknown()).isTrue();
	}

	@Test
	void fullInFlightRejectsWithoutSending() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		BookingScriptExecutor executor = executor(client, 2);
		blockRedis();
		submit(executor, 2);
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> executor.callsInFlight() == 2);

		RedisUnavailableException ex = catchThrowableOfType(RedisUnavailableException.class,
				() -> executor.execute(call("u-3")));

		assertThat(ex).isNotNull();
		assertThat(ex.outcomeUnknown()).isFalse();
		assertThat(ex.getMessage()).contains("max-in-flight");

		await().atMost(Duration.ofSeconds(10)).until(() -> executor.callsInFlight() == 0);
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> executor.execute(call("u-4")).outcome() == Outcome.ACCEPTED);
	}

	@Test
	void disconnectedRedisFailsFastThenRecovers() throws Exception {
		try (RedisServer ownRedis = RedisServer.start()) {
			RedisClient ownClient = client(ownRedis);
			this.closeables.add(ownClient::shutdown);
			StatefulRedisConnection<String, String> connection = ownClient.connect();
			BookingScriptExecutor executor = executor(ownClient, connection, 4096);
			assertThat(executor.execute(call("u-1")).outcome()).isEqualTo(Outcome.MISSING_INVENTORY);

			ownRedis.kill();
			await().atMost(Duration.ofSeconds(10)).until(() -> !connection.isOpen());
			RedisUnavailableException ex = catchThrowableOfType(RedisUnavailableException.class,
					() -> executor.execute(call("u-2")));

			assertThat(ex).isNotNull();
			assertThat(ex.outcomeUnknown()).isFalse();

			// The restarted Redis has neither the script nor the data: NOSCRIPT, then
			// EVAL.
			ownRedis.restart();
			await().atMost(Duration.ofSeconds(10)).until(connection::isOpen);
			try (StatefulRedisConnection<String, String> ownAdmin = ownClient.connect()) {
				ownAdmin.sync().set(this.keys.inventory(EVENT), "5");
			}
			assertThat(executor.execute(call("u-3")).outcome()).isEqualTo(Outcome.ACCEPTED);
		}
	}

	private static RedisClient client(RedisServer server) {
		RedisClient redisClient = RedisClient.create(resources,
				RedisURI.builder(RedisURI.create(server.uri())).withTimeout(COMMAND_TIMEOUT).build());
		// The options RedisConfiguration sets in the application.
		redisClient.setOptions(ClientOptions.builder()
			.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled())
			.build());
		return redisClient;
	}

	private BookingScriptExecutor executor(RedisClient redisClient, int maxInFlight) {
		return executor(redisClient, redisClient.connect(), maxInFlight);
	}

	private BookingScriptExecutor executor(RedisClient redisClient, StatefulRedisConnection<String, String> connection,
			int maxInFlight) {
		RedisLink link = RedisLink.connect(redisClient, RedisURI.create(redis.uri()));
		this.closeables.add(link);
		BookingScriptExecutor executor = new BookingScriptExecutor(link, redisClient, connection,
				new SimpleMeterRegistry(), COMMAND_TIMEOUT, maxInFlight);
		this.closeables.add(executor::destroy);
		return executor;
	}

	private List<BookingScript.Result> runConcurrently(BookingScriptExecutor executor, int calls)
			throws InterruptedException, ExecutionException {
		List<BookingScript.Result> results = new ArrayList<>();
		for (Future<BookingScript.Result> call : submit(executor, calls)) {
			results.add(call.get());
		}
		return results;
	}

	private List<Future<BookingScript.Result>> submit(BookingScriptExecutor executor, int calls) {
		List<Future<BookingScript.Result>> futures = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			BookingScript.Call call = call("u-" + UUID.randomUUID());
			futures.add(this.threads.submit(() -> executor.execute(call)));
		}
		return futures;
	}

	private BookingScript.Call call(String userId) {
		return this.script.call(new BookingEvent(UUID.randomUUID(), EVENT, userId, 1, Instant.now()), null);
	}

	/**
	 * Runs a script that keeps Redis busy for {@link #BLOCK}, on a connection of its own,
	 * and returns once a PING times out.
	 */
	private void blockRedis() {
		// Both connect first, because a blocked Redis does not complete a handshake.
		StatefulRedisConnection<String, String> pinger = client.connect();
		this.closeables.add(pinger);
		pinger.setTimeout(Duration.ofMillis(100));
		StatefulRedisConnection<String, String> blocker = client.connect();
		this.closeables.add(blocker);
		blocker.async()
			.eval(BUSY_SCRIPT, ScriptOutputType.STATUS, new String[0], Long.toString(BLOCK.toNanos() / 1000));
		await().atMost(Duration.ofSeconds(5)).until(() -> pingTimesOut(pinger));
	}

	private static boolean pingTimesOut(StatefulRedisConnection<String, String> pinger) {
		try {
			pinger.sync().ping();
			return false;
		}
		catch (RedisCommandTimeoutException ex) {
			return true;
		}
	}

	private long commandCalls(String command) {
		String stats = this.commands.info("commandstats");
		for (String line : stats.split("\r?\n")) {
			if (line.startsWith("cmdstat_" + command + ":calls=")) {
				return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
			}
		}
		return 0;
	}

}

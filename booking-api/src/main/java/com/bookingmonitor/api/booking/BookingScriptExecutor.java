package com.bookingmonitor.api.booking;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.redis.FlushCoalescer;
import com.bookingmonitor.api.redis.LuaScript;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.api.redis.ScriptConnections;
import com.bookingmonitor.common.RedisLink;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import org.springframework.util.Assert;

/**
 * Runs the booking script: one EVALSHA, and after a NOSCRIPT reply (a restarted or
 * flushed Redis) one EVAL, which also loads the script again. This is the only place that
 * sends the booking script.
 * <p>
 * On a single Redis the calls go over a connection of their own with auto-flush off, and
 * a {@link FlushCoalescer} sends all calls issued while a flush is pending in one write.
 * The request thread still waits for its own reply, so a booking is accepted only after
 * Redis ran its script. On a Redis Cluster the calls go over the shared cluster
 * connection, one flush per call, because its commands spread over one connection per
 * node.
 * <p>
 * At most {@code maxInFlight} calls wait for Redis at once; another call fails at once,
 * as does a call while the connection is down. Neither reaches Redis.
 */
@Component
public class BookingScriptExecutor implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(BookingScriptExecutor.class);

	private static final LuaScript SCRIPT = BookingScript.SCRIPT;

	/** How much longer than the command timeout to wait before giving up on a future. */
	private static final Duration SAFETY_MARGIN = Duration.ofSeconds(1);

	/** Lettuce's command timeout when {@code spring.data.redis.timeout} is unset. */
	private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(1);

	private final StatefulConnection<String, String> connection;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final @Nullable FlushCoalescer flushCoalescer;

	private final @Nullable StatefulRedisConnection<String, String> ownConnection;

	private final Semaphore inFlight;

	private final int maxInFlight;

	private final Timer timer;

	private final long safetyTimeoutMillis;

	/** Whether Lettuce times the calls out, so that waiting needs no timer of its own. */
	private final boolean commandsTimeOut;

	private final AtomicBoolean failing = new AtomicBoolean();

	@Autowired
	BookingScriptExecutor(RedisLink link, LettuceConnectionFactory connectionFactory, MeterRegistry registry,
			DataRedisProperties redisProperties, BookingScriptProperties properties) {
		this(link, link.isCluster() ? null : ScriptConnections.standaloneClient(connectionFactory),
				link.isCluster() ? null : ScriptConnections.openStandalone(connectionFactory), registry,
				(redisProperties.getTimeout() != null) ? redisProperties.getTimeout() : DEFAULT_COMMAND_TIMEOUT,
				properties.maxInFlight());
	}

	/**
	 * @param link the shared connection, used for the calls on a Redis Cluster
	 * @param batchClient the client that opened {@code batchConnection}, or null for the
	 * cluster path
	 * @param batchConnection a connection to a single Redis that this executor owns and
	 * closes, or null for the cluster path
	 */
	BookingScriptExecutor(RedisLink link, @Nullable RedisClient batchClient,
			@Nullable StatefulRedisConnection<String, String> batchConnection, MeterRegistry registry,
			Duration commandTimeout, int maxInFlight) {
		if (batchConnection != null) {
			Assert.notNull(batchClient, "A batch connection needs the client that opened it");
			batchConnection.setAutoFlushCommands(false);
			// Until the channel's event loop is known, one thread of Lettuce's own
			// executor group runs the flushes, so no thread is added.
			this.flushCoalescer = new FlushCoalescer(batchConnection, batchClient,
					batchConnection.getResources().eventExecutorGroup().next());
			this.connection = batchConnection;
			this.commands = batchConnection.async();
		}
		else {
			this.flushCoalescer = null;
			this.connection = link.connection();
			this.commands = link.async();
		}
		this.ownConnection = batchConnection;
		this.inFlight = new Semaphore(maxInFlight);
		this.maxInFlight = maxInFlight;
		this.timer = Timer.builder("booking.script")
			.description("Booking script calls, including the EVAL after a NOSCRIPT")
			.register(registry);
		this.safetyTimeoutMillis = commandTimeout.plus(SAFETY_MARGIN).toMillis();
		this.commandsTimeOut = RedisCalls.timesOutCommands(this.connection);
	}

	/**
	 * Runs one call of the booking script.
	 * @throws RedisUnavailableException when Redis is down, the call timed out, or too
	 * many calls wait for Redis, with whether the script may have run
	 */
	public BookingScript.Result execute(BookingScript.Call call) {
		Timer.Sample sample = Timer.start();
		try {
			// Not on a cluster: its connection reports only the default node's state,
			// which
			// would reject bookings for every master while one fails over.
			if (!(this.connection instanceof StatefulRedisClusterConnection) && !this.connection.isOpen()) {
				throw new RedisUnavailableException("Redis is not connected", false, null);
			}
			if (!this.inFlight.tryAcquire()) {
				throw new RedisUnavailableException(
						"Rejected the booking without sending it: " + this.maxInFlight
								+ " booking script calls already wait for Redis (booking.api.script.max-in-flight)",
						false, null);
			}
			BookingScript.Result result;
			try {
				result = BookingScript.parse(evaluate(call));
			}
			finally {
				this.inFlight.release();
			}
			recovered();
			return result;
		}
		catch (RedisUnavailableException ex) {
			failed(ex);
			throw ex;
		}
		finally {
			sample.stop(this.timer);
		}
	}

	/** Returns whether the calls share flushes, which they do only on a single Redis. */
	boolean batching() {
		return this.flushCoalescer != null;
	}

	/** Returns whether the flushes run on the event loop of the connection's channel. */
	boolean flushesOnEventLoop() {
		return this.flushCoalescer != null && this.flushCoalescer.onEventLoop();
	}

	/** Returns how many calls wait for Redis now. */
	int callsInFlight() {
		return this.maxInFlight - this.inFlight.availablePermits();
	}

	private List<Object> evaluate(BookingScript.Call call) {
		String[] keys = call.keys().toArray(String[]::new);
		String[] arguments = call.arguments().toArray(String[]::new);
		try {
			return await(this.commands.evalsha(SCRIPT.sha1(), ScriptOutputType.MULTI, keys, arguments));
		}
		catch (RedisNoScriptException ex) {
			// Every call of a burst after a SCRIPT FLUSH or a restart gets here; each
			// EVAL
			// loads the script again, and the next burst uses EVALSHA.
			return await(this.commands.eval(SCRIPT.source(), ScriptOutputType.MULTI, keys, arguments));
		}
	}

	private List<Object> await(RedisFuture<List<Object>> future) {
		if (this.flushCoalescer != null) {
			this.flushCoalescer.commandIssued();
		}
		return this.commandsTimeOut ? RedisCalls.await(future) : RedisCalls.await(future, this.safetyTimeoutMillis);
	}

	/** Logs the start of an outage once instead of once per rejected booking. */
	private void failed(RedisUnavailableException ex) {
		if (this.failing.compareAndSet(false, true)) {
			logger.warn("Booking script calls failed; bookings return 503 until Redis replies again", ex);
		}
	}

	private void recovered() {
		if (this.failing.get() && this.failing.compareAndSet(true, false)) {
			logger.info("Booking script calls succeed again");
		}
	}

	@Override
	public void destroy() {
		if (this.flushCoalescer != null) {
			this.flushCoalescer.close();
		}
		if (this.ownConnection != null) {
			this.ownConnection.close();
		}
	}

}

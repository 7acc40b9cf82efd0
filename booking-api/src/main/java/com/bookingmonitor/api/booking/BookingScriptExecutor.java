package com.bookingmonitor.api.booking;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.redis.LuaScript;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.common.RedisLink;

import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.stereotype.Component;

/**
 * Runs the booking script: one EVALSHA, and after a NOSCRIPT reply (a restarted or
 * flushed Redis) one EVAL, which also loads the script again. This is the only place that
 * sends the booking script, so a later change of transport (for example batching several
 * calls into one write) stays inside this class.
 */
@Component
public class BookingScriptExecutor {

	private static final Logger logger = LoggerFactory.getLogger(BookingScriptExecutor.class);

	private static final LuaScript SCRIPT = BookingScript.SCRIPT;

	/** How much longer than the command timeout to wait before giving up on a future. */
	private static final Duration SAFETY_MARGIN = Duration.ofSeconds(1);

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final Timer timer;

	private final long safetyTimeoutMillis;

	private final AtomicBoolean failing = new AtomicBoolean();

	BookingScriptExecutor(RedisLink link, MeterRegistry registry, DataRedisProperties redisProperties) {
		this.link = link;
		this.commands = link.async();
		this.timer = Timer.builder("booking.script")
			.description("Booking script calls, including the EVAL after a NOSCRIPT")
			.register(registry);
		Duration commandTimeout = (redisProperties.getTimeout() != null) ? redisProperties.getTimeout()
				: Duration.ofMinutes(1);
		this.safetyTimeoutMillis = commandTimeout.plus(SAFETY_MARGIN).toMillis();
	}

	/**
	 * Runs one call of the booking script.
	 * @throws RedisUnavailableException when Redis is down or the call timed out, with
	 * whether the script may have run
	 */
	public BookingScript.Result execute(BookingScript.Call call) {
		Timer.Sample sample = Timer.start();
		try {
			RedisCalls.requireConnected(this.link);
			BookingScript.Result result = BookingScript.parse(evaluate(call));
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

	private List<Object> evaluate(BookingScript.Call call) {
		String[] keys = call.keys().toArray(String[]::new);
		String[] arguments = call.arguments().toArray(String[]::new);
		try {
			return await(this.commands.evalsha(SCRIPT.sha1(), ScriptOutputType.MULTI, keys, arguments));
		}
		catch (RedisNoScriptException ex) {
			return await(this.commands.eval(SCRIPT.source(), ScriptOutputType.MULTI, keys, arguments));
		}
	}

	private List<Object> await(RedisFuture<List<Object>> future) {
		return RedisCalls.await(future, this.safetyTimeoutMillis);
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

}

package com.bookingmonitor.api.redis;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.bookingmonitor.common.RedisLink;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;

/**
 * Waits for asynchronous Lettuce commands and turns transport failures and rejections
 * (such as OOM) into {@link RedisUnavailableException}. Other error replies, such as a
 * script error or NOSCRIPT, pass through unchanged.
 */
public final class RedisCalls {

	private static final List<String> REJECTION_PREFIXES = List.of("OOM", "BUSY", "LOADING", "READONLY", "MASTERDOWN",
			"CLUSTERDOWN", "TRYAGAIN");

	private RedisCalls() {
	}

	/**
	 * Throws a {@link RedisUnavailableException} with an outcome that is known not to
	 * have happened when the connection is down, so that the caller sends nothing.
	 */
	public static void requireConnected(RedisLink link) {
		// A cluster connection reports only its default node's state; Lettuce rejects
		// commands per node while that node is disconnected, so there is nothing to
		// check.
		if (!link.isCluster() && !link.connection().isOpen()) {
			throw new RedisUnavailableException("Redis is not connected", false, null);
		}
	}

	/**
	 * Waits for a command sent on a connection whose commands time out (Spring Boot
	 * enables Lettuce's command timeouts); {@code safetyTimeoutMillis} only guards
	 * against a future that never completes.
	 */
	public static <T> T await(RedisFuture<T> future, long safetyTimeoutMillis) {
		return await(future, safetyTimeoutMillis, true);
	}

	/**
	 * Waits for a command sent on a connection whose commands time out (see
	 * {@link #timesOutCommands}), without a timer of its own, because the command's
	 * timeout completes the future. A virtual thread that waits with a timeout arms a
	 * timer of the fork-join pool's delay scheduler and cancels it on wake-up, and both
	 * signal that scheduler's thread. In a profile of {@code POST /book} that cost 11% of
	 * booking-api's CPU.
	 */
	public static <T> T await(RedisFuture<T> future) {
		return await(future, 0, false);
	}

	/** Returns whether Lettuce fails the connection's commands after its timeout. */
	public static boolean timesOutCommands(StatefulConnection<?, ?> connection) {
		return connection.getOptions().getTimeoutOptions().isTimeoutCommands();
	}

	private static <T> T await(RedisFuture<T> future, long safetyTimeoutMillis, boolean timed) {
		try {
			return timed ? future.get(safetyTimeoutMillis, TimeUnit.MILLISECONDS) : future.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new RedisUnavailableException("Interrupted while waiting for Redis", true, ex);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw new RedisUnavailableException("Redis did not reply within " + safetyTimeoutMillis + " ms", true, ex);
		}
		catch (ExecutionException ex) {
			throw translate(ex.getCause());
		}
	}

	private static RuntimeException translate(Throwable cause) {
		if (cause instanceof RedisCommandTimeoutException) {
			return new RedisUnavailableException("Redis command timed out: " + cause.getMessage(), true, cause);
		}
		if (cause instanceof RedisCommandExecutionException reply) {
			if (isRejection(reply)) {
				return new RedisUnavailableException("Redis rejected the command: " + reply.getMessage(), false, reply);
			}
			return reply;
		}
		if (cause instanceof RedisException) {
			return new RedisUnavailableException("Redis connection failed: " + cause.getMessage(), true, cause);
		}
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		return new RedisException(cause);
	}

	/**
	 * Tells error replies that reject a command because of the state of Redis (out of
	 * memory, busy with a script, loading its data set, a replica, a cluster without a
	 * master for the slot) from errors of the command itself. Lettuce reports error
	 * replies as {@link RedisCommandExecutionException}, and transport failures as other
	 * {@link RedisException}s. For the booking script, an out-of-memory error hits its
	 * first write, DECRBY, so nothing was written.
	 */
	private static boolean isRejection(RedisCommandExecutionException reply) {
		String message = String.valueOf(reply.getMessage());
		return REJECTION_PREFIXES.stream().anyMatch(message::startsWith);
	}

}

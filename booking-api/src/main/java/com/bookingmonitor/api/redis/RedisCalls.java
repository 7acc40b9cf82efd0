package com.bookingmonitor.api.redis;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.bookingmonitor.common.RedisLink;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;

/**
 * Waits for asynchronous Lettuce commands and turns transport failures into
 * {@link RedisUnavailableException}. Errors that Redis itself returns, such as a script
 * error or NOSCRIPT, pass through unchanged.
 */
public final class RedisCalls {

	private RedisCalls() {
	}

	/**
	 * Throws a {@link RedisUnavailableException} with an outcome that is known not to
	 * have happened when the connection is down, so that the caller sends nothing.
	 */
	public static void requireConnected(RedisLink link) {
		if (!link.connection().isOpen()) {
			throw new RedisUnavailableException("Redis is not connected", false, null);
		}
	}

	/**
	 * Waits for a command sent on a connection whose commands time out (Spring Boot
	 * enables Lettuce's command timeouts); {@code safetyTimeoutMillis} only guards
	 * against a future that never completes.
	 */
	public static <T> T await(RedisFuture<T> future, long safetyTimeoutMillis) {
		try {
			return future.get(safetyTimeoutMillis, TimeUnit.MILLISECONDS);
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
		if (cause instanceof RedisException redisException && isTransportFailure(redisException)) {
			return new RedisUnavailableException("Redis connection failed: " + cause.getMessage(), true, cause);
		}
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		return new RedisException(cause);
	}

	/**
	 * Tells transport failures (the command may or may not have run) from error replies
	 * of Redis (it did not run). Lettuce reports both as {@link RedisException}, but an
	 * error reply is a {@link io.lettuce.core.RedisCommandExecutionException}.
	 */
	private static boolean isTransportFailure(RedisException ex) {
		return !(ex instanceof io.lettuce.core.RedisCommandExecutionException);
	}

}

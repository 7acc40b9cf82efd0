package com.bookingmonitor.api.redis;

/**
 * Thrown when a Redis command failed for want of Redis: not connected, timed out, or the
 * connection dropped while the command was in flight.
 */
public class RedisUnavailableException extends RuntimeException {

	private final boolean outcomeUnknown;

	public RedisUnavailableException(String message, boolean outcomeUnknown, Throwable cause) {
		super(message, cause);
		this.outcomeUnknown = outcomeUnknown;
	}

	/**
	 * Returns whether Redis may have run the command: true once it was sent, false when
	 * it never left this process.
	 */
	public boolean outcomeUnknown() {
		return this.outcomeUnknown;
	}

}

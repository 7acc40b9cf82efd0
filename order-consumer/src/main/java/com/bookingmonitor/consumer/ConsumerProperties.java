package com.bookingmonitor.consumer;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the order consumer. Durations take a unit suffix ({@code 500ms},
 * {@code 30s}, {@code 1h}); a bare number is milliseconds.
 *
 * @param group consumer group shared by every instance
 * @param name consumer name of this instance, unique in the group; blank means host name,
 * process id and a short random suffix
 * @param batchSize maximum entries read from one partition stream and inserted in one
 * transaction ({@code COUNT} of {@code XREADGROUP} and {@code XAUTOCLAIM})
 * @param block how long one read waits for new entries ({@code BLOCK}); it bounds how
 * long a stop waits for a worker
 * @param claimMinIdle how long an entry must stay unacknowledged before another consumer
 * claims it with {@code XAUTOCLAIM}
 * @param claimInterval how often each partition worker looks for entries to claim
 * @param maxDeliveries deliveries after which an entry that still fails to insert is
 * dead-lettered
 * @param backoff waits between retries after a failed read, insert or acknowledgement
 * @param trimInterval how often acknowledged entries are trimmed from the streams and
 * idle consumers are removed from the group
 * @param statsInterval how often the stream gauges (length, pending entries, lag) are
 * refreshed
 * @param idleConsumerRemoval how long a consumer without pending entries must be idle
 * before it is removed from the group
 * @param stallTimeout readiness reports DOWN when a partition worker has not completed a
 * loop for this long
 * @param shutdownTimeout how long a stop waits for the workers to finish their batches
 * @param fault fault injection, for crash tests only
 */
@Validated
@ConfigurationProperties("booking.consumer")
public record ConsumerProperties(@DefaultValue("booking-persisters") @NotBlank String group, String name,
		@DefaultValue("1000") @Min(1) @Max(MAX_BATCH_SIZE) int batchSize,
		@DefaultValue("1s") @NotNull @DurationMin(millis = 1) Duration block,
		@DefaultValue("30s") @NotNull @DurationMin(millis = 1) Duration claimMinIdle,
		@DefaultValue("5s") @NotNull @DurationMin(millis = 1) Duration claimInterval,
		@DefaultValue("5") @Min(1) int maxDeliveries, @DefaultValue @Valid Backoff backoff,
		@DefaultValue("10s") @NotNull @DurationMin(millis = 1) Duration trimInterval,
		@DefaultValue("5s") @NotNull @DurationMin(millis = 1) Duration statsInterval,
		@DefaultValue("1h") @NotNull @DurationMin(seconds = 1) Duration idleConsumerRemoval,
		@DefaultValue("60s") @NotNull @DurationMin(millis = 1) Duration stallTimeout,
		@DefaultValue("20s") @NotNull Duration shutdownTimeout, @DefaultValue @Valid Fault fault) {

	/**
	 * Largest batch: the acknowledgement script unpacks the batch's ids into one Redis
	 * call, and Lua's unpack fails above about 8,000 values.
	 */
	public static final int MAX_BATCH_SIZE = 5000;

	public ConsumerProperties {
		if (name == null || name.isBlank()) {
			name = defaultName();
		}
		if (stallTimeout != null && block != null && backoff != null
				&& stallTimeout.compareTo(block.plus(backoff.max())) <= 0) {
			throw new IllegalArgumentException("Invalid booking.consumer.stall-timeout " + stallTimeout
					+ ": expected more than block (" + block + ") plus backoff.max (" + backoff.max()
					+ "), or readiness turns DOWN while a worker waits as configured");
		}
	}

	private static String defaultName() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "unknown-host";
		}
		long pid = ManagementFactory.getRuntimeMXBean().getPid();
		String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
		return host + "-" + pid + "-" + suffix;
	}

	/**
	 * Exponential backoff between retries: the wait starts at {@code initial}, doubles
	 * after every failure in a row, stops growing at {@code max} and resets after a
	 * success.
	 *
	 * @param initial first wait
	 * @param max longest wait
	 */
	public record Backoff(@DefaultValue("100ms") @NotNull @DurationMin(millis = 1) Duration initial,
			@DefaultValue("5s") @NotNull @DurationMin(millis = 1) Duration max) {

		public Backoff {
			if (initial != null && max != null && max.compareTo(initial) < 0) {
				throw new IllegalArgumentException("Invalid booking.consumer.backoff.max " + max
						+ ": expected at least backoff.initial (" + initial + ")");
			}
		}

	}

	/**
	 * Test-only fault injection. Never set it in production: a worker that reaches the
	 * point logs a marker and blocks until the process is stopped or killed.
	 *
	 * @param pauseAt where every partition worker blocks
	 */
	public record Fault(@DefaultValue("none") @NotNull PausePoint pauseAt) {

	}

	/** Points of a batch where fault injection can block a worker. */
	public enum PausePoint {

		/** Never block. */
		NONE,

		/** After reading a batch, before inserting it. */
		AFTER_READ,

		/** After committing a batch, before acknowledging it. */
		AFTER_COMMIT

	}

}

package com.bookingmonitor.consumer.stream;

/**
 * The latest state of one partition stream, refreshed by {@link StreamMaintenance} and
 * read by the gauges. {@code NaN} until the first refresh, and for a lag Redis does not
 * know.
 */
final class PartitionStats {

	volatile double streamLength = Double.NaN;

	volatile double pendingEntries = Double.NaN;

	volatile double lag = Double.NaN;

	volatile double oldestPendingAgeSeconds = Double.NaN;

}

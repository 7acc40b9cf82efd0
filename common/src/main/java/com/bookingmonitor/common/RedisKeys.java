package com.bookingmonitor.common;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Redis key naming for inventory, booking streams and their side keys.
 *
 * <p>
 * Events map to one of {@code partitions} stream partitions by
 * {@code eventId mod partitions}. Every key of a partition starts with the partition's
 * hash tag, for example {@code {bm:p3}}, so all keys that one booking script call touches
 * hash to the same slot and the same script runs unchanged on a Redis Cluster. Changing
 * the partition count moves events to other streams, so it needs drained streams and
 * rebuilt inventory keys.
 */
public final class RedisKeys {

	public static final int MAX_PARTITIONS = 1024;

	private final String prefix;

	private final int partitions;

	/**
	 * Creates the naming for one deployment.
	 * @param prefix first part of every hash tag; tests use a unique prefix to share a
	 * Redis
	 * @param partitions number of stream partitions, 1 to {@value #MAX_PARTITIONS}
	 */
	public RedisKeys(String prefix, int partitions) {
		if (prefix == null || prefix.isBlank() || !prefix.matches("[A-Za-z0-9_.:-]+")) {
			throw new IllegalArgumentException(
					"Invalid Redis key prefix '" + prefix + "': use letters, digits, '_', '.', ':' or '-'");
		}
		if (partitions < 1 || partitions > MAX_PARTITIONS) {
			throw new IllegalArgumentException(
					"Invalid partition count " + partitions + ": expected 1 to " + MAX_PARTITIONS);
		}
		this.prefix = prefix;
		this.partitions = partitions;
	}

	public String prefix() {
		return this.prefix;
	}

	public int partitions() {
		return this.partitions;
	}

	public int partitionOf(long eventId) {
		return (int) Math.floorMod(eventId, (long) this.partitions);
	}

	/** Hash tag shared by every key of the partition, braces included. */
	public String hashTag(int partition) {
		if (partition < 0 || partition >= this.partitions) {
			throw new IllegalArgumentException(
					"Invalid partition " + partition + ": expected 0 to " + (this.partitions - 1));
		}
		return "{" + this.prefix + ":p" + partition + "}";
	}

	/** Stream of booking events for one partition. */
	public String stream(int partition) {
		return hashTag(partition) + ":bookings";
	}

	public String streamOfEvent(long eventId) {
		return stream(partitionOf(eventId));
	}

	/** All partition streams, in partition order. */
	public List<String> streams() {
		return IntStream.range(0, this.partitions).mapToObj(this::stream).toList();
	}

	/**
	 * Hash of bookings accepted but not yet persisted in the partition: booking id to
	 * {@link PendingBooking#encode()}. The booking script adds a field and the consumer
	 * removes it after the commit.
	 */
	public String pendingBookings(int partition) {
		return hashTag(partition) + ":pending";
	}

	public String pendingBookingsOfEvent(long eventId) {
		return pendingBookings(partitionOf(eventId));
	}

	/** Tickets the event still sells, as an integer string. */
	public String inventory(long eventId) {
		return eventKey(eventId, "available");
	}

	/**
	 * Another key of one event, in the event's hash slot.
	 * @param suffix what the key stores, for example {@code "limits"}
	 */
	public String eventKey(long eventId, String suffix) {
		return hashTag(partitionOf(eventId)) + ":event:" + eventId + ":" + suffix;
	}

}

package com.bookingmonitor.common;

import java.util.List;
import java.util.stream.IntStream;

import io.lettuce.core.cluster.SlotHash;

/**
 * Redis key naming for inventory, booking streams and their side keys.
 *
 * <p>
 * Events map to one of {@code partitions} stream partitions by
 * {@code eventId mod partitions}. Every key of a partition starts with the partition's
 * hash tag, for example {@code {bm:p3-41}}, so all keys that one booking script call
 * touches hash to the same slot and the same script runs unchanged on a Redis Cluster.
 * The number after the dash is a salt chosen so that partition {@code p} hashes into the
 * {@code p}-th of {@code partitions} equal slot ranges: a cluster whose masters own equal
 * contiguous slot ranges, as {@code redis-cli --cluster create} assigns them, then gets
 * an equal share of partitions on each master. Changing the partition count moves events
 * to other streams, so it needs drained streams and rebuilt inventory keys.
 */
public final class RedisKeys {

	public static final int MAX_PARTITIONS = 1024;

	private final String prefix;

	private final int partitions;

	private final String[] hashTags;

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
		this.hashTags = new String[partitions];
		for (int partition = 0; partition < partitions; partition++) {
			this.hashTags[partition] = "{" + saltedTag(prefix, partition, partitions) + "}";
		}
	}

	/**
	 * Finds the first tag {@code prefix:pN-salt} whose slot lies in the partition's share
	 * of the 16384 slots. Each share is at least 16 slots wide, so about 1,000 tries find
	 * one.
	 */
	private static String saltedTag(String prefix, int partition, int partitions) {
		int firstSlot = partition * SlotHash.SLOT_COUNT / partitions;
		int endSlot = (partition + 1) * SlotHash.SLOT_COUNT / partitions;
		for (int salt = 0;; salt++) {
			String tag = prefix + ":p" + partition + "-" + salt;
			int slot = SlotHash.getSlot(tag);
			if (slot >= firstSlot && slot < endSlot) {
				return tag;
			}
		}
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
		return this.hashTags[partition];
	}

	/** Stream of booking events for one partition. */
	public String stream(int partition) {
		return hashTag(partition) + ":bookings";
	}

	public String streamOfEvent(long eventId) {
		return stream(partitionOf(eventId));
	}

	/** Returns the keys of all partition streams, in partition order. */
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

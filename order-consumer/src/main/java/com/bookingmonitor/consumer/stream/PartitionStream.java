package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.Consumer;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

/**
 * The Redis commands a partition worker sends for one partition stream. Each command
 * touches only keys of the partition's hash tag, so it runs on a Redis Cluster too.
 */
final class PartitionStream {

	private final int partition;

	private final String stream;

	private final String pendingBookings;

	private final String group;

	private final String consumer;

	PartitionStream(RedisKeys keys, int partition, String group, String consumer) {
		this.partition = partition;
		this.stream = keys.stream(partition);
		this.pendingBookings = keys.pendingBookings(partition);
		this.group = group;
		this.consumer = consumer;
	}

	int partition() {
		return this.partition;
	}

	String stream() {
		return this.stream;
	}

	/**
	 * Creates the consumer group at the start of the stream, and the stream if it is
	 * missing, so no entry written before the group existed is skipped.
	 * @return whether the group was created; false when it exists already
	 */
	boolean createGroup(RedisLink redis) {
		try {
			redis.sync()
				.xgroupCreate(StreamOffset.from(this.stream, "0"), this.group, XGroupCreateArgs.Builder.mkstream());
			return true;
		}
		catch (RedisBusyException ex) {
			if (ex.getMessage() != null && ex.getMessage().startsWith("BUSYGROUP")) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * Reads entries never delivered to the group, waiting up to {@code block} for some.
	 */
	List<StreamMessage<String, String>> readNew(RedisLink redis, int count, Duration block) {
		return redis.sync()
			.xreadgroup(Consumer.from(this.group, this.consumer), XReadArgs.Builder.count(count).block(block),
					StreamOffset.lastConsumed(this.stream));
	}

	/**
	 * Sends a read of up to {@code count} new entries that does not block, for a caller
	 * that handles the previous batch meanwhile.
	 */
	RedisFuture<List<StreamMessage<String, String>>> readNewAsync(RedisLink redis, int count) {
		return redis.async()
			.xreadgroup(Consumer.from(this.group, this.consumer), XReadArgs.Builder.count(count),
					StreamOffset.lastConsumed(this.stream));
	}

	/**
	 * Reads this consumer's own pending entries with ids above {@code afterId}. Entries
	 * deleted from the stream come back with no fields.
	 */
	List<StreamMessage<String, String>> readOwnPending(RedisLink redis, String afterId, int count) {
		return redis.sync()
			.xreadgroup(Consumer.from(this.group, this.consumer), XReadArgs.Builder.count(count),
					StreamOffset.from(this.stream, afterId));
	}

	/**
	 * Claims entries that stayed pending longer than {@code minIdle}, from any consumer
	 * of the group, starting the scan at {@code cursor}.
	 */
	ClaimResult claim(RedisLink redis, Duration minIdle, String cursor, int count) {
		// Lettuce's XAUTOCLAIM reply type drops the third element, the ids Redis 7 found
		// deleted from the stream and removed from the pending entries, so read it raw.
		CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).addKey(this.stream)
			.add(this.group)
			.add(this.consumer)
			.add(minIdle.toMillis())
			.add(cursor)
			.add("COUNT")
			.add(count);
		List<Object> reply = redis.sync()
			.dispatch(CommandType.XAUTOCLAIM, new NestedMultiOutput<>(StringCodec.UTF8), args);
		return ClaimResult.parse(this.stream, reply);
	}

	/**
	 * Returns how often the group delivered each entry; entries no longer pending are
	 * missing from the map.
	 */
	Map<String, Long> deliveryCounts(RedisLink redis, List<String> entryIds, Duration timeout) {
		List<RedisFuture<List<PendingMessage>>> futures = new ArrayList<>(entryIds.size());
		for (String entryId : entryIds) {
			futures.add(redis.async()
				.xpending(this.stream,
						XPendingArgs.Builder.xpending(this.group, Range.create(entryId, entryId), Limit.from(1))));
		}
		if (!LettuceFutures.awaitAll(timeout.toMillis(), TimeUnit.MILLISECONDS, futures.toArray(RedisFuture[]::new))) {
			throw new RedisCommandExecutionException(
					"Timed out after " + timeout + " reading delivery counts of " + entryIds.size() + " entries");
		}
		Map<String, Long> counts = new HashMap<>();
		for (RedisFuture<List<PendingMessage>> future : futures) {
			for (PendingMessage pending : future.toCompletableFuture().join()) {
				counts.put(pending.getId(), pending.getRedeliveryCount());
			}
		}
		return counts;
	}

	/** Returns the pending-bookings values of the booking ids that still have one. */
	Map<String, String> pendingBookings(RedisLink redis, List<String> bookingIds) {
		Map<String, String> values = new LinkedHashMap<>();
		for (KeyValue<String, String> field : redis.sync()
			.hmget(this.pendingBookings, bookingIds.toArray(String[]::new))) {
			if (field.hasValue()) {
				values.put(field.getKey(), field.getValue());
			}
		}
		return values;
	}

	Acknowledgement.Result acknowledge(RedisLink redis, Acknowledgement acknowledgement) {
		return AckScript.run(redis.sync(), this.stream, this.pendingBookings, this.group, acknowledgement);
	}

	/** Returns whether a Redis error reports a missing stream or consumer group. */
	static boolean isNoGroup(Throwable ex) {
		return ex instanceof RedisCommandExecutionException && ex.getMessage() != null
				&& ex.getMessage().startsWith("NOGROUP");
	}

	/**
	 * Reply of XAUTOCLAIM.
	 *
	 * @param nextCursor where the next scan starts; {@code 0-0} when the scan is complete
	 * @param entries the claimed entries
	 * @param deletedIds ids of pending entries that were deleted from the stream, which
	 * Redis removed from the pending entries
	 */
	record ClaimResult(String nextCursor, List<StreamMessage<String, String>> entries, List<String> deletedIds) {

		static final String SCAN_COMPLETE = "0-0";

		@SuppressWarnings("unchecked")
		static ClaimResult parse(String stream, List<Object> reply) {
			String nextCursor = (String) reply.get(0);
			List<StreamMessage<String, String>> entries = new ArrayList<>();
			for (Object item : (List<Object>) reply.get(1)) {
				List<Object> entry = (List<Object>) item;
				String id = (String) entry.get(0);
				Map<String, String> fields = new LinkedHashMap<>();
				if (entry.size() > 1 && entry.get(1) instanceof List<?> flat) {
					for (int i = 0; i + 1 < flat.size(); i += 2) {
						fields.put((String) flat.get(i), (String) flat.get(i + 1));
					}
				}
				entries.add(new StreamMessage<>(stream, id, fields));
			}
			List<String> deletedIds = new ArrayList<>();
			if (reply.size() > 2 && reply.get(2) instanceof List<?> deleted) {
				deleted.forEach(id -> deletedIds.add((String) id));
			}
			return new ClaimResult(nextCursor, entries, deletedIds);
		}

	}

}

package com.bookingmonitor.consumer.testing;

import java.util.List;
import java.util.Map;

import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

/** Reads and changes the Redis side of the booking streams the way tests need. */
public final class StreamState {

	private final RedisLink redis;

	private final RedisKeys keys;

	private final String group;

	public StreamState(RedisLink redis, RedisKeys keys, String group) {
		this.redis = redis;
		this.keys = keys;
		this.group = group;
	}

	/** Entries delivered to the group and not acknowledged, over all partitions. */
	public long pendingEntries() {
		long pending = 0;
		for (String stream : this.keys.streams()) {
			if (this.redis.sync().exists(stream) == 1) {
				pending += this.redis.sync().xpending(stream, this.group).getCount();
			}
		}
		return pending;
	}

	/** Fields of the pending-bookings hashes, over all partitions. */
	public long pendingBookings() {
		long fields = 0;
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			fields += this.redis.sync().hlen(this.keys.pendingBookings(partition));
		}
		return fields;
	}

	public long streamLength(int partition) {
		return this.redis.sync().xlen(this.keys.stream(partition));
	}

	public void createGroup(int partition) {
		this.redis.sync()
			.xgroupCreate(StreamOffset.from(this.keys.stream(partition), "0"), this.group,
					XGroupCreateArgs.Builder.mkstream());
	}

	/** Adds a consumer to the group without giving it entries. */
	public void createConsumer(int partition, String consumer) {
		this.redis.sync().xgroupCreateconsumer(this.keys.stream(partition), Consumer.from(this.group, consumer));
	}

	/**
	 * Reads new entries as the named consumer, which then owns them as pending entries.
	 */
	public List<StreamMessage<String, String>> readAs(String consumer, int partition, int count) {
		return this.redis.sync()
			.xreadgroup(Consumer.from(this.group, consumer), XReadArgs.Builder.count(count),
					StreamOffset.lastConsumed(this.keys.stream(partition)));
	}

	public void delete(int partition, String... entryIds) {
		this.redis.sync().xdel(this.keys.stream(partition), entryIds);
	}

	/** Consumer names of the group with their pending entry counts. */
	public Map<String, Long> consumers(int partition) {
		Map<String, Long> consumers = new java.util.TreeMap<>();
		for (Object item : this.redis.sync().xinfoConsumers(this.keys.stream(partition), this.group)) {
			List<?> flat = (List<?>) item;
			String name = null;
			Long pending = null;
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				if ("name".equals(flat.get(i))) {
					name = (String) flat.get(i + 1);
				}
				if ("pending".equals(flat.get(i))) {
					pending = (Long) flat.get(i + 1);
				}
			}
			consumers.put(name, pending);
		}
		return consumers;
	}

}

package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.models.stream.PendingMessage;
import io.lettuce.core.models.stream.PendingMessages;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.ConsumerProperties;

/**
 * Periodic work on all partition streams, on one thread and one Redis connection:
 * refreshes the stream gauges, trims acknowledged entries and removes idle consumers from
 * the group. Several instances may run it at once; each step is safe to repeat.
 */
public final class StreamMaintenance implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StreamMaintenance.class);

	// Checked in the same atomic call, so a consumer that took entries since XINFO
	// CONSUMERS is kept: XGROUP DELCONSUMER would drop its pending entries unread.
	private static final String DELETE_IF_NOTHING_PENDING = """
			if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
			    return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
			end
			return -1""";

	private final ConsumerProperties properties;

	private final RedisKeys keys;

	private final RedisLinkFactory links;

	private final ConsumerMetrics metrics;

	private final Object monitor = new Object();

	private ScheduledExecutorService executor;

	private RedisLink redis;

	private boolean failing;

	public StreamMaintenance(ConsumerProperties properties, RedisKeys keys, RedisLinkFactory links,
			ConsumerMetrics metrics) {
		this.properties = properties;
		this.keys = keys;
		this.links = links;
		this.metrics = metrics;
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (this.executor != null) {
				return;
			}
			this.executor = Executors
				.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("consumer-maintenance").factory());
			schedule(this::refreshStats, Duration.ZERO, this.properties.statsInterval());
			schedule(this::trimAndRemoveIdleConsumers, this.properties.trimInterval(), this.properties.trimInterval());
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			if (this.executor == null) {
				return;
			}
			// No interrupt: Lettuce turns it into an error in the middle of a command.
			this.executor.shutdown();
			try {
				if (!this.executor.awaitTermination(this.properties.shutdownTimeout().toMillis(),
						TimeUnit.MILLISECONDS)) {
					this.executor.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.executor = null;
			if (this.redis != null) {
				this.redis.close();
				this.redis = null;
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	/**
	 * Refreshes the length, pending, lag and oldest-pending-age gauges of every
	 * partition.
	 */
	void refreshStats() {
		RedisClusterCommands<String, String> redis = link().sync();
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			String stream = this.keys.stream(partition);
			PartitionStats stats = this.metrics.partition(partition);
			stats.streamLength = redis.xlen(stream);
			Map<String, Object> group = groupsOf(redis, stream).get(this.properties.group());
			if (group == null) {
				continue;
			}
			stats.lag = (group.get("lag") instanceof Long lag) ? lag : Double.NaN;
			PendingMessages pending = redis.xpending(stream, this.properties.group());
			stats.pendingEntries = pending.getCount();
			stats.oldestPendingAgeSeconds = oldestPendingIdleSeconds(redis, stream);
		}
	}

	/**
	 * Returns how long the oldest pending entry has waited since its last delivery. The
	 * time in its id would count the wait before delivery too, so a backlog would make
	 * entries that a live consumer just read look stuck.
	 */
	private double oldestPendingIdleSeconds(RedisClusterCommands<String, String> redis, String stream) {
		List<PendingMessage> oldest = redis.xpending(stream, this.properties.group(), Range.create("-", "+"),
				Limit.from(1));
		return oldest.isEmpty() ? 0 : oldest.get(0).getMsSinceLastDelivery() / 1000.0;
	}

	/**
	 * Trims every partition stream below its oldest unacknowledged entry.
	 * @return entries removed
	 */
	long trim() {
		RedisClusterCommands<String, String> redis = link().sync();
		long trimmed = 0;
		for (String stream : this.keys.streams()) {
			String minId = acknowledgedBelow(redis, stream);
			if (minId != null) {
				trimmed += redis.xtrim(stream, XTrimArgs.Builder.minId(minId).approximateTrimming());
			}
		}
		return trimmed;
	}

	/**
	 * Returns the id below which every group has acknowledged every entry. Each group
	 * bounds it by its oldest pending entry, or by the entry after its last delivered one
	 * when none is pending, and the lowest bound wins. Returns null when the stream has
	 * no group, because then nothing counts as acknowledged. Deliveries after XINFO
	 * GROUPS cannot break the bound, because they only add entries above the last
	 * delivered id.
	 */
	private String acknowledgedBelow(RedisClusterCommands<String, String> redis, String stream) {
		String minId = null;
		for (Map<String, Object> group : groupsOf(redis, stream).values()) {
			String bound = StreamIds.successor((String) group.get("last-delivered-id"));
			if (group.get("pending") instanceof Long pendingCount && pendingCount > 0) {
				PendingMessages pending = redis.xpending(stream, (String) group.get("name"));
				if (pending.getCount() > 0) {
					bound = pending.getMessageIds().getLower().getValue();
				}
			}
			if (minId == null || StreamIds.compare(bound, minId) < 0) {
				minId = bound;
			}
		}
		return minId;
	}

	/**
	 * Removes consumers of the group that have no pending entries and have been idle for
	 * longer than the setting, so the consumer list stays bounded across restarts.
	 * @return consumers removed
	 */
	int removeIdleConsumers() {
		RedisClusterCommands<String, String> redis = link().sync();
		long idleMillis = this.properties.idleConsumerRemoval().toMillis();
		int removed = 0;
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			String stream = this.keys.stream(partition);
			List<Object> consumers;
			try {
				consumers = redis.xinfoConsumers(stream, this.properties.group());
			}
			catch (RedisCommandExecutionException ex) {
				if (PartitionStream.isNoGroup(ex) || isNoSuchKey(ex)) {
					continue;
				}
				throw ex;
			}
			for (Object item : consumers) {
				Map<String, Object> consumer = pairs(item);
				String name = (String) consumer.get("name");
				if (name.equals(this.properties.name()) || !(consumer.get("pending") instanceof Long pending)
						|| pending != 0 || !(consumer.get("idle") instanceof Long idle) || idle < idleMillis) {
					continue;
				}
				Long result = redis.eval(DELETE_IF_NOTHING_PENDING, ScriptOutputType.INTEGER, new String[] { stream },
						this.properties.group(), name);
				if (result != null && result >= 0) {
					removed++;
					log.info("Removed idle consumer from the group consumer={} partition={} removed={} idle={}",
							this.properties.name(), partition, name, Duration.ofMillis(idle));
				}
			}
		}
		return removed;
	}

	private void trimAndRemoveIdleConsumers() {
		trim();
		removeIdleConsumers();
	}

	private Map<String, Map<String, Object>> groupsOf(RedisClusterCommands<String, String> redis, String stream) {
		List<Object> groups;
		try {
			groups = redis.xinfoGroups(stream);
		}
		catch (RedisCommandExecutionException ex) {
			// The stream is missing until a worker recreates it, as after a FLUSHALL.
			if (isNoSuchKey(ex)) {
				return Map.of();
			}
			throw ex;
		}
		Map<String, Map<String, Object>> byName = new HashMap<>();
		for (Object group : groups) {
			Map<String, Object> fields = pairs(group);
			byName.put((String) fields.get("name"), fields);
		}
		return byName;
	}

	private static boolean isNoSuchKey(RedisCommandExecutionException ex) {
		return ex.getMessage() != null && ex.getMessage().contains("no such key");
	}

	private static Map<String, Object> pairs(Object reply) {
		List<?> flat = (List<?>) reply;
		Map<String, Object> map = new HashMap<>();
		for (int i = 0; i + 1 < flat.size(); i += 2) {
			map.put(String.valueOf(flat.get(i)), flat.get(i + 1));
		}
		return map;
	}

	private RedisLink link() {
		if (this.redis == null) {
			RedisLink link = this.links.connect();
			link.connection().setTimeout(PartitionWorker.COMMAND_TIMEOUT);
			this.redis = link;
		}
		return this.redis;
	}

	private void schedule(Runnable task, Duration initialDelay, Duration interval) {
		this.executor.scheduleWithFixedDelay(() -> runLogged(task), initialDelay.toMillis(), interval.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	// A scheduled task that throws is never run again, so every failure is caught here.
	private void runLogged(Runnable task) {
		try {
			task.run();
			if (this.failing) {
				log.info("Stream maintenance recovered consumer={}", this.properties.name());
				this.failing = false;
			}
		}
		catch (RuntimeException ex) {
			if (!this.failing) {
				log.warn("Stream maintenance failed; retrying at its next interval consumer={}", this.properties.name(),
						ex);
				this.failing = true;
			}
		}
	}

}

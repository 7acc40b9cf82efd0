package com.bookingmonitor.api.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.BookingApiProperties;
import com.bookingmonitor.api.booking.BookingScript;
import com.bookingmonitor.api.event.Event;
import com.bookingmonitor.api.event.EventRepository;
import com.bookingmonitor.api.redis.LuaScript;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Rebuilds an event's inventory key after Redis lost it, as capacity minus persisted
 * tickets minus tickets still in flight, and the per-user ticket counts with it. The
 * pending-bookings hash is read before PostgreSQL: the consumer deletes a hash field only
 * after its commit, so every booking is counted in one of the two reads. No booking can
 * be accepted meanwhile, because the script rejects bookings while the key is missing.
 *
 * <p>
 * A lock (SET NX PX) keeps two instances from rebuilding one event at once, and the final
 * step sets the key only if it is still missing, so a rebuild never overwrites inventory.
 */
@Component
public class InventoryRebuilder implements DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(InventoryRebuilder.class);

	private static final LuaScript INSTALL_SCRIPT = LuaScript.load("scripts/inventory-rebuild.lua");

	private static final String RELEASE_LOCK_SCRIPT = "if redis.call('GET', KEYS[1]) == ARGV[1] then"
			+ " return redis.call('DEL', KEYS[1]) end return 0";

	private static final long SAFETY_TIMEOUT_MILLIS = Duration.ofSeconds(10).toMillis();

	/** Fields per HSET while staging per-user counts, to keep each command small. */
	private static final int STAGING_BATCH = 500;

	/**
	 * How long an id missing from PostgreSQL gets 404 without another query, so that
	 * requests for made-up ids do not each reach the database. A booking for a new event
	 * is not delayed by it, because the script finds the seeded inventory key first.
	 */
	private static final Duration UNKNOWN_EVENT_TTL = Duration.ofSeconds(1);

	private final RedisKeys keys;

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final EventRepository events;

	private final InFlightBookings inFlight;

	private final PersistedTickets persisted;

	private final Duration lockTtl;

	private final Counter rebuilds;

	private final Cache<Long, Boolean> unknownEvents = Caffeine.newBuilder()
		.expireAfterWrite(UNKNOWN_EVENT_TTL)
		.maximumSize(10_000)
		.build();

	private final Map<Long, CompletableFuture<Void>> running = new ConcurrentHashMap<>();

	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	InventoryRebuilder(RedisKeys keys, RedisLink link, EventRepository events, InFlightBookings inFlight,
			PersistedTickets persisted, BookingApiProperties properties, MeterRegistry registry) {
		this.keys = keys;
		this.link = link;
		this.commands = link.async();
		this.events = events;
		this.inFlight = inFlight;
		this.persisted = persisted;
		this.lockTtl = properties.inventory().rebuildLockTtl();
		this.rebuilds = Counter.builder("booking.inventory.rebuilds")
			.description("Inventory keys rebuilt after Redis lost them")
			.register(registry);
	}

	/**
	 * Decides what a missing inventory key means for a booking: an unknown event (404),
	 * or a lost key (503 while it is rebuilt in the background). Only this error path
	 * reads PostgreSQL.
	 * @return the problem to respond with
	 */
	public ApiProblemException missingInventory(long eventId) {
		if (this.unknownEvents.getIfPresent(eventId) != null) {
			return eventNotFound(eventId);
		}
		Optional<Event> event = this.events.find(eventId);
		if (event.isEmpty()) {
			this.unknownEvents.put(eventId, Boolean.TRUE);
			return eventNotFound(eventId);
		}
		return missingInventory(event.get());
	}

	/**
	 * Starts a rebuild of a known event's inventory and returns the 503 to respond with.
	 */
	public ApiProblemException missingInventory(Event event) {
		rebuildInBackground(event);
		return new ApiProblemException(ProblemType.INVENTORY_UNAVAILABLE,
				"The inventory of event " + event.id() + " is being rebuilt; retry shortly")
			.with("eventId", event.id());
	}

	/** Starts a rebuild unless this instance is rebuilding the event already. */
	void rebuildInBackground(Event event) {
		CompletableFuture<Void> started = new CompletableFuture<>();
		CompletableFuture<Void> current = this.running.putIfAbsent(event.id(), started);
		if (current != null) {
			return;
		}
		this.executor.execute(() -> {
			try {
				rebuild(event);
			}
			catch (RuntimeException ex) {
				logger.error("Inventory rebuild failed; the next booking retries it: event={}", event.id(), ex);
			}
			finally {
				this.running.remove(event.id(), started);
				started.complete(null);
			}
		});
	}

	/**
	 * Rebuilds the event's inventory if its key is missing and no other instance holds
	 * the lock.
	 */
	public Result rebuild(Event event) {
		RedisCalls.requireConnected(this.link);
		String inventoryKey = this.keys.inventory(event.id());
		if (await(this.commands.exists(inventoryKey)) > 0) {
			return Result.PRESENT;
		}
		String lockKey = this.keys.eventKey(event.id(), "rebuild-lock");
		String token = UUID.randomUUID().toString();
		String locked = await(this.commands.set(lockKey, token, SetArgs.Builder.nx().px(this.lockTtl.toMillis())));
		if (!"OK".equals(locked)) {
			return Result.LOCKED;
		}

		try {
			return rebuildLocked(event, inventoryKey, lockKey, token);
		}
		catch (RuntimeException ex) {
			releaseLock(lockKey, token);
			throw ex;
		}
	}

	private Result rebuildLocked(Event event, String inventoryKey, String lockKey, String token) {
		Map<UUID, PendingBooking> pending = this.inFlight.of(this.keys.partitionOf(event.id()), Set.of(event.id()));
		PersistedTickets.ByUser stored = this.persisted.byUser(event.id(), pending.keySet());
		Map<String, Long> perUser = new HashMap<>(stored.tickets());
		long inFlightTickets = 0;
		for (Map.Entry<UUID, PendingBooking> entry : pending.entrySet()) {
			if (!stored.persisted().contains(entry.getKey())) {
				inFlightTickets += entry.getValue().quantity();
				perUser.merge(entry.getValue().userId(), (long) entry.getValue().quantity(), Long::sum);
			}
		}
		long available = event.capacity() - stored.total() - inFlightTickets;
		if (available < 0) {
			logger.error("Event is oversold; its inventory is rebuilt as 0: event={} capacity={} persisted={}"
					+ " inFlight={}", event.id(), event.capacity(), stored.total(), inFlightTickets);
			available = 0;
		}

		String stagingKey = this.keys.eventKey(event.id(), BookingScript.USER_TICKETS_SUFFIX + "-rebuild:" + token);
		stage(stagingKey, perUser);
		List<String> scriptKeys = List.of(inventoryKey,
				this.keys.eventKey(event.id(), BookingScript.USER_TICKETS_SUFFIX), stagingKey, lockKey);
		String outcome = await(this.commands.eval(INSTALL_SCRIPT.source(), ScriptOutputType.STATUS,
				scriptKeys.toArray(String[]::new), token, Long.toString(available)));
		Result result = Result.valueOf(outcome);
		if (result == Result.REBUILT) {
			this.rebuilds.increment();
			logger.info("Rebuilt inventory: event={} capacity={} available={} persisted={} inFlight={}", event.id(),
					event.capacity(), available, stored.total(), inFlightTickets);
		}
		else if (result == Result.LOCK_LOST) {
			logger.warn("Inventory rebuild outlived its lock and changed nothing: event={} lockTtl={}", event.id(),
					this.lockTtl);
		}
		return result;
	}

	/**
	 * Deletes the lock if this rebuild still holds it, so that the next booking may
	 * retry.
	 */
	private void releaseLock(String lockKey, String token) {
		try {
			await(this.commands.eval(RELEASE_LOCK_SCRIPT, ScriptOutputType.INTEGER, new String[] { lockKey }, token));
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to release the inventory rebuild lock; it expires by itself: key={}", lockKey, ex);
		}
	}

	/** Writes per-user counts to a staging hash that expires with the lock. */
	private void stage(String stagingKey, Map<String, Long> perUser) {
		List<Map.Entry<String, Long>> entries = new ArrayList<>(perUser.entrySet());
		for (int from = 0; from < entries.size(); from += STAGING_BATCH) {
			Map<String, String> batch = new HashMap<>();
			for (Map.Entry<String, Long> entry : entries.subList(from,
					Math.min(entries.size(), from + STAGING_BATCH))) {
				batch.put(entry.getKey(), Long.toString(entry.getValue()));
			}
			await(this.commands.hset(stagingKey, batch));
			await(this.commands.pexpire(stagingKey, this.lockTtl.toMillis()));
		}
	}

	private <T> T await(io.lettuce.core.RedisFuture<T> future) {
		return RedisCalls.await(future, SAFETY_TIMEOUT_MILLIS);
	}

	private static ApiProblemException eventNotFound(long eventId) {
		return new ApiProblemException(ProblemType.EVENT_NOT_FOUND, "No event with id " + eventId).with("eventId",
				eventId);
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

	/** Outcome of one rebuild attempt. */
	public enum Result {

		/** The key was missing and now contains the rebuilt value. */
		REBUILT,

		/** The key exists; nothing changed. */
		PRESENT,

		/** Another rebuild holds the lock; nothing changed. */
		LOCKED,

		/** This rebuild took longer than its lock; nothing changed. */
		LOCK_LOST

	}

}

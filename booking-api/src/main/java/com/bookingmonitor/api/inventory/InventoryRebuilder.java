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
import io.lettuce.core.RedisFuture;
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

	private static final Duration KNOWN_EVENT_TTL = Duration.ofMinutes(10);

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

	/**
	 * Events found in PostgreSQL on this error path. Events never change once created, so
	 * while a lost key is rebuilt, bookings for a known event get 503 without a query
	 * each.
	 */
	private final Cache<Long, Event> knownEvents = Caffeine.newBuilder()
		.expireAfterWrite(KNOWN_EVENT_TTL)
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
		Event known = this.knownEvents.getIfPresent(eventId);
		if (known != null) {
			return missingInventory(known);
		}
		Optional<Event> event = this.events.find(eventId);
		if (event.isEmpty()) {
			this.unknownEvents.put(eventId, Boolean.TRUE);
			return eventNotFound(eventId);
		}
		this.knownEvents.put(eventId, event.get());
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
		long eventId = event.id();
		if (await(this.commands.exists(this.keys.inventory(eventId))) > 0) {
			return Result.PRESENT;
		}
		String lockKey = this.keys.eventKey(eventId, "rebuild-lock");
		String token = UUID.randomUUID().toString();
		SetArgs lockArgs = SetArgs.Builder.nx().px(this.lockTtl.toMillis());
		if (!"OK".equals(await(this.commands.set(lockKey, token, lockArgs)))) {
			return Result.LOCKED;
		}

		try {
			return rebuildLocked(event, lockKey, token);
		}
		catch (RuntimeException ex) {
			releaseLock(lockKey, token);
			throw ex;
		}
	}

	private Result rebuildLocked(Event event, String lockKey, String token) {
		long eventId = event.id();
		int partition = this.keys.partitionOf(eventId);
		Map<UUID, PendingBooking> pending = this.inFlight.of(partition, Set.of(eventId));
		Tickets tickets = Tickets.count(this.persisted.byUser(eventId, pending.keySet()), pending);
		long available = event.capacity() - tickets.persisted() - tickets.inFlight();
		if (available < 0) {
			logger.error(
					"Event is oversold; its inventory is rebuilt as 0: event={} capacity={} persisted={} inFlight={}",
					eventId, event.capacity(), tickets.persisted(), tickets.inFlight());
			available = 0;
		}

		String userTicketsKey = this.keys.eventKey(eventId, BookingScript.USER_TICKETS_SUFFIX);
		String stagingKey = userTicketsKey + "-rebuild:" + token;
		stage(stagingKey, tickets.perUser());
		String[] scriptKeys = { this.keys.inventory(eventId), userTicketsKey, stagingKey, lockKey };
		String outcome = await(this.commands.eval(INSTALL_SCRIPT.source(), ScriptOutputType.STATUS, scriptKeys, token,
				Long.toString(available)));

		Result result = Result.valueOf(outcome);
		if (result == Result.REBUILT) {
			this.rebuilds.increment();
			logger.info("Rebuilt inventory: event={} capacity={} available={} persisted={} inFlight={}", eventId,
					event.capacity(), available, tickets.persisted(), tickets.inFlight());
		}
		else if (result == Result.LOCK_LOST) {
			logger.warn("Inventory rebuild outlived its lock and changed nothing: event={} lockTtl={}", eventId,
					this.lockTtl);
		}
		return result;
	}

	/**
	 * Deletes the lock if this rebuild still holds it, so that the next booking may
	 * retry.
	 */
	private void releaseLock(String lockKey, String token) {
		String[] lockKeys = { lockKey };
		try {
			await(this.commands.eval(RELEASE_LOCK_SCRIPT, ScriptOutputType.INTEGER, lockKeys, token));
		}
		catch (RuntimeException ex) {
			logger.warn("Failed to release the inventory rebuild lock; it expires by itself: key={}", lockKey, ex);
		}
	}

	/** Writes per-user counts to a staging hash that expires with the lock. */
	private void stage(String stagingKey, Map<String, Long> perUser) {
		List<Map.Entry<String, Long>> entries = new ArrayList<>(perUser.entrySet());
		for (int from = 0; from < entries.size(); from += STAGING_BATCH) {
			int to = Math.min(entries.size(), from + STAGING_BATCH);
			Map<String, String> batch = new HashMap<>();
			for (Map.Entry<String, Long> entry : entries.subList(from, to)) {
				batch.put(entry.getKey(), Long.toString(entry.getValue()));
			}
			await(this.commands.hset(stagingKey, batch));
			await(this.commands.pexpire(stagingKey, this.lockTtl.toMillis()));
		}
	}

	private <T> T await(RedisFuture<T> future) {
		return RedisCalls.await(future, SAFETY_TIMEOUT_MILLIS);
	}

	private static ApiProblemException eventNotFound(long eventId) {
		String detail = "No event with id " + eventId;
		return new ApiProblemException(ProblemType.EVENT_NOT_FOUND, detail).with("eventId", eventId);
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

	/**
	 * An event's tickets outside its inventory.
	 *
	 * @param persisted tickets of bookings in PostgreSQL
	 * @param inFlight tickets of pending bookings not yet in PostgreSQL
	 * @param perUser both together, by user id
	 */
	private record Tickets(long persisted, long inFlight, Map<String, Long> perUser) {

		static Tickets count(PersistedTickets.ByUser stored, Map<UUID, PendingBooking> pending) {
			Map<String, Long> perUser = new HashMap<>(stored.tickets());
			long inFlight = 0;
			for (Map.Entry<UUID, PendingBooking> entry : pending.entrySet()) {
				if (!stored.persisted().contains(entry.getKey())) {
					PendingBooking booking = entry.getValue();
					inFlight += booking.quantity();
					perUser.merge(booking.userId(), (long) booking.quantity(), Long::sum);
				}
			}
			return new Tickets(stored.total(), inFlight, perUser);
		}

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

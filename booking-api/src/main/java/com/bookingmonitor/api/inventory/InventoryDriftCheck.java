package com.bookingmonitor.api.inventory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.BookingApiProperties;
import com.bookingmonitor.api.event.Event;
import com.bookingmonitor.api.event.EventRepository;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/**
 * Checks that no ticket is lost or sold twice: for each tracked event, capacity minus
 * available, persisted and in-flight tickets should be 0. The result is the
 * {@code booking.inventory.drift} gauge; a non-zero drift is logged when it changes.
 *
 * <p>
 * The reads are not one snapshot, so a booking accepted while an event is checked would
 * show as drift. The inventory key is read before and after the other reads, and an event
 * whose inventory changed in between is left for the next run. The pending-bookings hash
 * is read before PostgreSQL, for the reason {@link InventoryRebuilder} gives.
 */
@Component
public class InventoryDriftCheck implements SchedulingConfigurer {

	private static final Logger logger = LoggerFactory.getLogger(InventoryDriftCheck.class);

	private static final long SAFETY_TIMEOUT_MILLIS = Duration.ofSeconds(5).toMillis();

	private final RedisKeys keys;

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final EventRepository events;

	private final InFlightBookings inFlight;

	private final PersistedTickets persisted;

	private final InventoryGauges gauges;

	private final BookingApiProperties.Inventory settings;

	private final Map<Long, Long> lastDrift = new HashMap<>();

	private boolean failing;

	InventoryDriftCheck(RedisKeys keys, RedisLink link, EventRepository events, InFlightBookings inFlight,
			PersistedTickets persisted, InventoryGauges gauges, BookingApiProperties properties) {
		this.keys = keys;
		this.link = link;
		this.commands = link.async();
		this.events = events;
		this.inFlight = inFlight;
		this.persisted = persisted;
		this.gauges = gauges;
		this.settings = properties.inventory();
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		if (this.settings.trackedEvents() > 0) {
			registrar.addFixedDelayTask(this::runLogged, this.settings.driftCheckInterval());
		}
	}

	private void runLogged() {
		try {
			run();
			if (this.failing) {
				this.failing = false;
				logger.info("Inventory drift check succeeds again");
			}
		}
		catch (RedisUnavailableException | DataAccessException | TransactionException ex) {
			if (!this.failing) {
				this.failing = true;
				logger.warn("Inventory drift check failed; it retries every {}", this.settings.driftCheckInterval(),
						ex);
			}
		}
	}

	/**
	 * Checks every tracked event once and returns the drift of each event it could check.
	 */
	public synchronized Map<Long, Long> run() {
		List<Event> tracked = this.events.newest(this.settings.trackedEvents());
		this.gauges.track(tracked.stream().map(Event::id).toList());
		Map<Integer, List<Event>> byPartition = tracked.stream()
			.collect(Collectors.groupingBy((event) -> this.keys.partitionOf(event.id()), TreeMap::new,
					Collectors.toList()));
		Map<Long, Long> drifts = new HashMap<>();
		byPartition.forEach((partition, partitionEvents) -> drifts.putAll(check(partition, partitionEvents)));
		this.lastDrift.keySet().retainAll(tracked.stream().map(Event::id).toList());
		return drifts;
	}

	private Map<Long, Long> check(int partition, List<Event> partitionEvents) {
		Set<Long> eventIds = partitionEvents.stream().map(Event::id).collect(Collectors.toSet());
		Map<Long, String> before = availableOf(partitionEvents);
		// A booking during the scan changes an inventory key, and then the check below
		// skips the partition, so the scan stops as soon as one changes.
		Map<UUID, PendingBooking> pending = this.inFlight.of(partition, eventIds,
				() -> !before.equals(availableOf(partitionEvents)));
		if (pending == null) {
			return Map.of();
		}
		PersistedTickets.ByEvent stored = this.persisted.byEvent(eventIds, pending.keySet());
		Map<Long, String> after = availableOf(partitionEvents);

		Map<Long, Long> inFlightByEvent = new HashMap<>();
		pending.forEach((bookingId, booking) -> {
			if (!stored.persisted().contains(bookingId)) {
				inFlightByEvent.merge(booking.eventId(), (long) booking.quantity(), Long::sum);
			}
		});
		Map<Long, Long> drifts = new HashMap<>();
		for (Event event : partitionEvents) {
			String available = before.get(event.id());
			if (available == null || !Objects.equals(available, after.get(event.id()))) {
				continue;
			}
			long availableTickets = Long.parseLong(available);
			long persistedTickets = stored.tickets().getOrDefault(event.id(), 0L);
			long inFlightTickets = inFlightByEvent.getOrDefault(event.id(), 0L);
			long drift = event.capacity() - (availableTickets + persistedTickets + inFlightTickets);
			this.gauges.updateAvailable(event.id(), availableTickets);
			this.gauges.updateDrift(event.id(), drift);
			logChange(event, drift, availableTickets, persistedTickets, inFlightTickets);
			drifts.put(event.id(), drift);
		}
		return drifts;
	}

	private void logChange(Event event, long drift, long available, long persistedTickets, long inFlightTickets) {
		Long previous = this.lastDrift.put(event.id(), drift);
		if (previous != null && previous == drift) {
			return;
		}
		if (drift != 0) {
			logger.warn("Inventory drift: event={} drift={} capacity={} available={} persisted={} inFlight={}",
					event.id(), drift, event.capacity(), available, persistedTickets, inFlightTickets);
		}
		else if (previous != null) {
			logger.info("Inventory drift resolved: event={}", event.id());
		}
	}

	/** Reads the inventory keys of one partition's events; missing keys are absent. */
	private Map<Long, String> availableOf(List<Event> partitionEvents) {
		RedisCalls.requireConnected(this.link);
		List<RedisFuture<String>> replies = new ArrayList<>();
		for (Event event : partitionEvents) {
			replies.add(this.commands.get(this.keys.inventory(event.id())));
		}
		Map<Long, String> available = new HashMap<>();
		for (int i = 0; i < partitionEvents.size(); i++) {
			String value = RedisCalls.await(replies.get(i), SAFETY_TIMEOUT_MILLIS);
			if (value != null) {
				available.put(partitionEvents.get(i).id(), value);
			}
		}
		return available;
	}

}

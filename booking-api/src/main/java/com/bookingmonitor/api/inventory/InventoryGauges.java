package com.bookingmonitor.api.inventory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import org.springframework.stereotype.Component;

/**
 * The per-event gauges {@code booking.inventory.available} and
 * {@code booking.inventory.drift}, for the tracked events only, so that the {@code event}
 * tag stays bounded. A value not yet measured reads as NaN.
 */
@Component
public class InventoryGauges {

	private static final long UNKNOWN = Long.MIN_VALUE;

	private final Map<Long, AtomicLong> available = new ConcurrentHashMap<>();

	private final Map<Long, AtomicLong> drift = new ConcurrentHashMap<>();

	private final MultiGauge availableGauge;

	private final MultiGauge driftGauge;

	InventoryGauges(MeterRegistry registry) {
		this.availableGauge = MultiGauge.builder("booking.inventory.available")
			.description("Tickets the event still sells, from Redis")
			.register(registry);
		this.driftGauge = MultiGauge.builder("booking.inventory.drift")
			.description("Capacity minus available, persisted and in-flight tickets; 0 when consistent")
			.register(registry);
	}

	/** Sets the events that have gauges; the others' gauges are removed. */
	void track(Collection<Long> eventIds) {
		this.available.keySet().retainAll(eventIds);
		this.drift.keySet().retainAll(eventIds);
		for (Long eventId : eventIds) {
			this.available.computeIfAbsent(eventId, (id) -> new AtomicLong(UNKNOWN));
			this.drift.computeIfAbsent(eventId, (id) -> new AtomicLong(UNKNOWN));
		}
		this.availableGauge.register(rows(this.available), true);
		this.driftGauge.register(rows(this.drift), true);
	}

	/** Records the tickets left of a tracked event; other events are ignored. */
	public void updateAvailable(long eventId, long tickets) {
		AtomicLong value = this.available.get(eventId);
		if (value != null) {
			value.set(tickets);
		}
	}

	void updateDrift(long eventId, long tickets) {
		AtomicLong value = this.drift.get(eventId);
		if (value != null) {
			value.set(tickets);
		}
	}

	private static List<MultiGauge.Row<?>> rows(Map<Long, AtomicLong> values) {
		List<MultiGauge.Row<?>> rows = new ArrayList<>();
		values.forEach((eventId, value) -> rows.add(MultiGauge.Row.of(Tags.of("event", Long.toString(eventId)), value,
				(current) -> (current.get() == UNKNOWN) ? Double.NaN : current.get())));
		return rows;
	}

}

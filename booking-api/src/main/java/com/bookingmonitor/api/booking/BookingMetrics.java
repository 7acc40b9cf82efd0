package com.bookingmonitor.api.booking;

import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** The {@code booking.requests} counter, one series per outcome of {@code POST /book}. */
@Component
public class BookingMetrics {

	/** Outcomes of {@code POST /book}; the tag value is the lower-case name. */
	public enum Outcome {

		ACCEPTED, SOLD_OUT, LIMIT_REACHED, NOT_FOUND, INVALID, UNAVAILABLE, REPLAYED, CONFLICT

	}

	private final Map<Outcome, Counter> counters = new EnumMap<>(Outcome.class);

	BookingMetrics(MeterRegistry registry) {
		for (Outcome outcome : Outcome.values()) {
			this.counters.put(outcome,
					Counter.builder("booking.requests")
						.description("Booking requests by outcome")
						.tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
						.register(registry));
		}
	}

	public void count(Outcome outcome) {
		this.counters.get(outcome).increment();
	}

}

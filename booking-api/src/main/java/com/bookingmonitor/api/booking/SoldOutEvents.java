package com.bookingmonitor.api.booking;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Events recently seen sold out, so that the flood of requests after a sell-out gets its
 * 409 without a Redis call. An entry expires after a fixed time and the next request
 * calls Redis again, which is how returned tickets become bookable.
 */
final class SoldOutEvents {

	/** More sold-out events than this at once are unlikely; beyond it the oldest go. */
	private static final int MAX_EVENTS = 10_000;

	private final Cache<Long, Boolean> soldOut;

	private final boolean enabled;

	SoldOutEvents(Duration ttl, Ticker ticker) {
		this.enabled = !ttl.isZero();
		this.soldOut = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(MAX_EVENTS).ticker(ticker).build();
	}

	void markSoldOut(long eventId) {
		if (this.enabled) {
			this.soldOut.put(eventId, Boolean.TRUE);
		}
	}

	boolean isSoldOut(long eventId) {
		return this.enabled && this.soldOut.getIfPresent(eventId) != null;
	}

}

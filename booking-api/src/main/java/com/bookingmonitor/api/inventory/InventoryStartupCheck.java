package com.bookingmonitor.api.inventory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.event.Event;
import com.bookingmonitor.api.event.EventRepository;
import com.bookingmonitor.api.redis.RedisUnavailableException;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Rebuilds, before the API reports ready, the inventory keys that Redis lost while no
 * instance was running. When Redis is down at start, the keys are rebuilt later by the
 * bookings that find them missing.
 */
@Component
class InventoryStartupCheck implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(InventoryStartupCheck.class);

	private final EventRepository events;

	private final InventoryRebuilder rebuilder;

	InventoryStartupCheck(EventRepository events, InventoryRebuilder rebuilder) {
		this.events = events;
		this.rebuilder = rebuilder;
	}

	@Override
	public void run(ApplicationArguments args) {
		int rebuilt = 0;
		for (Event event : this.events.all()) {
			try {
				if (this.rebuilder.rebuild(event) == InventoryRebuilder.Result.REBUILT) {
					rebuilt++;
				}
			}
			catch (RedisUnavailableException ex) {
				logger.warn("Inventory check at start stopped: Redis is unavailable; bookings rebuild missing keys",
						ex);
				return;
			}
		}
		if (rebuilt > 0) {
			logger.info("Rebuilt missing inventory keys at start: events={}", rebuilt);
		}
	}

}

package com.bookingmonitor.api.inventory;

import java.time.Duration;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.api.event.Event;
import com.bookingmonitor.api.redis.RedisCalls;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;

import org.springframework.stereotype.Component;

/** Reads and seeds events' inventory keys outside the booking script. */
@Component
public class Inventory {

	private static final Logger logger = LoggerFactory.getLogger(Inventory.class);

	private static final long SAFETY_TIMEOUT_MILLIS = Duration.ofSeconds(5).toMillis();

	private final RedisKeys keys;

	private final RedisLink link;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final InventoryRebuilder rebuilder;

	Inventory(RedisKeys keys, RedisLink link, InventoryRebuilder rebuilder) {
		this.keys = keys;
		this.link = link;
		this.commands = link.async();
		this.rebuilder = rebuilder;
	}

	/**
	 * Sets a new event's inventory to its capacity, unless the key exists. A failure is
	 * logged, not thrown: the event is stored already, and the first booking that finds
	 * the key missing rebuilds it.
	 */
	public void seed(Event event) {
		try {
			RedisCalls.requireConnected(this.link);
			RedisCalls.await(this.commands.set(this.keys.inventory(event.id()), Integer.toString(event.capacity()),
					SetArgs.Builder.nx()), SAFETY_TIMEOUT_MILLIS);
		}
		catch (RedisUnavailableException ex) {
			logger.error("Failed to seed inventory; the first booking rebuilds it: event={} capacity={}", event.id(),
					event.capacity(), ex);
		}
	}

	/**
	 * Returns the tickets the event still sells.
	 * @throws com.bookingmonitor.api.web.ApiProblemException of type
	 * {@code inventory-unavailable} while the key is missing; a rebuild is started
	 */
	public long available(Event event) {
		RedisCalls.requireConnected(this.link);
		String value = RedisCalls.await(this.commands.get(this.keys.inventory(event.id())), SAFETY_TIMEOUT_MILLIS);
		if (value == null) {
			throw this.rebuilder.missingInventory(event);
		}
		return Long.parseLong(value);
	}

}

package com.bookingmonitor.api.event;

/**
 * An event as the API returns it.
 *
 * @param available tickets still for sale, from Redis
 * @param confirmed tickets of bookings persisted in PostgreSQL
 */
record EventView(long id, String name, int capacity, long available, long confirmed) {

}

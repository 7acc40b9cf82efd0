package com.bookingmonitor.api.event;

/** An event as stored in PostgreSQL. */
public record Event(long id, String name, int capacity) {

}

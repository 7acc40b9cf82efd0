package com.bookingmonitor.api.booking;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the booking script calls.
 *
 * @param maxInFlight booking script calls that may wait for Redis at once. A booking
 * beyond it gets 503 at once, because a longer backlog would only turn into timeouts once
 * Redis cannot clear it within the command timeout.
 */
@ConfigurationProperties("booking.api.script")
@Validated
public record BookingScriptProperties(@DefaultValue("1024") @Min(1) int maxInFlight) {

}

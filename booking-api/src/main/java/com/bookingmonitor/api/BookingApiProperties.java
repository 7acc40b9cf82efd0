package com.bookingmonitor.api;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the booking API.
 *
 * @param maxTicketsPerUser tickets one user may book for one event, across all of the
 * user's bookings
 * @param soldOutCacheTtl how long requests for a sold-out event get 409 without a Redis
 * call, which is also the longest wait before returned tickets become bookable
 * @param maxRequestSize largest request body accepted; larger bodies get 413
 * @param retryAfter value of the {@code Retry-After} header on 503 responses, whole
 * seconds
 * @param adminToken bearer token that {@code POST /events} requires; unset means no check
 * @param idempotency {@code Idempotency-Key} settings
 * @param inventory inventory rebuild and drift check settings
 */
@ConfigurationProperties("booking.api")
@Validated
public record BookingApiProperties(@DefaultValue("4") @Min(1) @Max(1000) int maxTicketsPerUser,
		@DefaultValue("200ms") @NotNull @DurationMin(millis = 0) @DurationMax(minutes = 10) Duration soldOutCacheTtl,
		@DefaultValue("4KB") @NotNull DataSize maxRequestSize,
		@DefaultValue("1s") @NotNull @DurationMin(seconds = 1) Duration retryAfter, @Nullable String adminToken,
		@DefaultValue @Valid Idempotency idempotency, @DefaultValue @Valid Inventory inventory) {

	/**
	 * {@code Idempotency-Key} settings.
	 *
	 * @param ttl how long Redis keeps a key after the booking that claimed it
	 */
	public record Idempotency(@DefaultValue("24h") @NotNull @DurationMin(seconds = 1) Duration ttl) {

	}

	/**
	 * Inventory rebuild and drift check settings.
	 *
	 * @param rebuildLockTtl how long one instance holds the rebuild lock of an event; a
	 * crashed instance blocks the rebuild for at most this long
	 * @param driftCheckInterval pause between two drift checks
	 * @param trackedEvents how many of the newest events the drift check and the
	 * per-event gauges cover, which bounds the {@code event} tag
	 */
	public record Inventory(@DefaultValue("30s") @NotNull @DurationMin(seconds = 1) Duration rebuildLockTtl,
			@DefaultValue("30s") @NotNull @DurationMin(millis = 100) Duration driftCheckInterval,
			@DefaultValue("100") @Min(0) @Max(10_000) int trackedEvents) {

	}

}

package com.bookingmonitor.common;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Stream layout shared by booking-api and order-consumer; both must use the same values.
 *
 * @param keyPrefix first part of every Redis key's hash tag
 * @param partitions number of booking streams; at least the number of masters on a Redis
 * Cluster. Changing it moves events to other streams, so drain the streams first.
 */
@ConfigurationProperties("booking.streams")
public record StreamsProperties(@DefaultValue("bm") @Pattern(regexp = "[A-Za-z0-9_.:-]+") String keyPrefix,
		@DefaultValue("8") @Min(1) @Max(RedisKeys.MAX_PARTITIONS) int partitions) {

	public RedisKeys redisKeys() {
		return new RedisKeys(this.keyPrefix, this.partitions);
	}

}

package com.bookingmonitor.consumer.testing;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.bookingmonitor.consumer.ConsumerProperties;

/** Binds {@link ConsumerProperties} as Spring Boot does: defaults plus overrides. */
public final class ConsumerSettings {

	private ConsumerSettings() {
	}

	/**
	 * @param overrides alternating names below {@code booking.consumer} and values, for
	 * example {@code "claim-min-idle", "200ms"}
	 */
	public static ConsumerProperties of(String... overrides) {
		Map<String, String> map = new HashMap<>();
		for (int i = 0; i + 1 < overrides.length; i += 2) {
			map.put("booking.consumer." + overrides[i], overrides[i + 1]);
		}
		return new Binder(new MapConfigurationPropertySource(map)).bindOrCreate("booking.consumer",
				ConsumerProperties.class);
	}

}

package com.bookingmonitor.api.booking;

import java.time.Clock;

import com.fasterxml.uuid.Generators;
import com.github.benmanes.caffeine.cache.Ticker;

import com.bookingmonitor.api.BookingApiProperties;
import com.bookingmonitor.api.inventory.InventoryGauges;
import com.bookingmonitor.api.inventory.InventoryRebuilder;
import com.bookingmonitor.common.RedisKeys;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration(proxyBeanMethods = false)
class BookingConfiguration implements WebMvcConfigurer {

	private final BookingMetrics metrics;

	BookingConfiguration(BookingMetrics metrics) {
		this.metrics = metrics;
	}

	@Bean
	BookingScript bookingScript(RedisKeys keys, BookingApiProperties properties) {
		return new BookingScript(keys, properties.maxTicketsPerUser(), properties.idempotency().ttl().toMillis());
	}

	@Bean
	BookingService bookingService(BookingScript script, BookingScriptExecutor executor, InventoryRebuilder rebuilder,
			InventoryGauges gauges, BookingApiProperties properties) {
		SoldOutEvents soldOutEvents = new SoldOutEvents(properties.soldOutCacheTtl(), Ticker.systemTicker());
		return new BookingService(script, executor, soldOutEvents, rebuilder, gauges, this.metrics,
				Generators.timeBasedEpochGenerator(), Clock.systemUTC());
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new InvalidBookingCounter(this.metrics)).addPathPatterns("/book");
	}

}

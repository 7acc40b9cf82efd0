package com.bookingmonitor.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The booking API: accepts bookings against the Redis inventory and leaves persisting
 * them to the order consumer.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BookingApiApplication {

	public static void main(String[] args) {
		SpringApplication.run(BookingApiApplication.class, args);
	}

}

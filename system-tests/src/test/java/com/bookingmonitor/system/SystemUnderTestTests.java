package com.bookingmonitor.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SystemUnderTestTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void eachServiceReadsOwnConfiguration() throws Exception {
		try (RedisServer redis = RedisServer.start();
				PostgresDatabase database = PostgresDatabase.create();
				SystemUnderTest system = SystemUnderTest.start(redis, database,
						Map.of("booking.api.max-tickets-per-user", 7))) {
			// Both jars contain an application.yaml, and each service must read its own.
			assertThat(system.api().getEnvironment().getProperty("spring.application.name")).isEqualTo("booking-api");
			assertThat(system.consumer().getEnvironment().getProperty("spring.application.name"))
				.isEqualTo("order-consumer");
			assertThat(system.api().getEnvironment().getProperty("booking.api.max-tickets-per-user")).isEqualTo("7");
			assertThat(system.consumer().getEnvironment().getProperty("spring.data.redis.port"))
				.isEqualTo(Integer.toString(redis.port()));

			assertThat(readinessStatus(system.apiBaseUrl())).isEqualTo(200);
			assertThat(readinessStatus(system.consumerBaseUrl())).isEqualTo(200);
			assertThat(system.apiBaseUrl()).isNotEqualTo(system.consumerBaseUrl());
		}
	}

	private int readinessStatus(String baseUrl) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
	}

}

package com.bookingmonitor.api;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Points the application at a test's own Redis and database. */
public final class TestServers {

	private TestServers() {
	}

	public static void register(DynamicPropertyRegistry registry, RedisServer redis, PostgresDatabase database) {
		registry.add("spring.data.redis.host", redis::host);
		registry.add("spring.data.redis.port", redis::port);
		registry.add("spring.datasource.url", database::jdbcUrl);
		registry.add("spring.datasource.username", database::username);
		registry.add("spring.datasource.password", database::password);
	}

}

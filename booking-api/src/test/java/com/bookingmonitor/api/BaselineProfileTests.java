package com.bookingmonitor.api;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.testsupport.PostgresDatabase;
import com.bookingmonitor.testsupport.RedisServer;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** Without the profile {@code baseline}, neither its endpoints nor its tables exist. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@DirtiesContext
class BaselineProfileTests {

	private static final RedisServer redis = RedisServer.start();

	private static final PostgresDatabase database = PostgresDatabase.create();

	@Autowired
	private JdbcTemplate jdbc;

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		TestServers.register(registry, redis, database);
	}

	@AfterAll
	static void stopServers() {
		redis.close();
		database.close();
	}

	@Test
	void baselineAbsentByDefault() {
		ApiClient api = new ApiClient(this.port);

		assertThat(api.post("/baseline/noop", "{\"eventId\":1,\"userId\":\"u-1\",\"quantity\":1}").status())
			.isEqualTo(404);
		assertThat(api.post("/baseline/book", "{\"eventId\":1,\"userId\":\"u-1\",\"quantity\":1}").status())
			.isEqualTo(404);
		assertThat(this.jdbc.queryForObject("SELECT to_regclass('baseline_bookings') IS NULL", Boolean.class)).isTrue();
	}

}

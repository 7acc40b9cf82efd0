package com.bookingmonitor.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedisServerTests {

	@Test
	void killThenRestartOnSamePort() {
		try (RedisServer redis = RedisServer.start()) {
			int port = redis.port();
			long firstPid = redis.pid();

			redis.kill();
			assertThat(redis.isRunning()).isFalse();

			redis.restart();
			assertThat(redis.isRunning()).isTrue();
			assertThat(redis.port()).isEqualTo(port);
			assertThat(redis.pid()).isNotEqualTo(firstPid);
		}
	}

}

package com.bookingmonitor.api.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.bookingmonitor.common.PooledBuffers;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.common.StreamsProperties;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.Delay;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The Lettuce connection of the hot path, built from the client that Spring Data Redis
 * configures from {@code spring.data.redis.*}, so that one set of properties selects a
 * single Redis or a Redis Cluster.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StreamsProperties.class)
class RedisConfiguration {

	/** Lettuce's default when {@code spring.data.redis.connect-timeout} is unset. */
	private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

	@Bean
	RedisKeys redisKeys(StreamsProperties streams) {
		return streams.redisKeys();
	}

	/**
	 * Fails commands at once while the connection is down instead of queueing them until
	 * they time out: a booking then returns 503 immediately, and a command that was in
	 * flight when the connection dropped fails rather than being sent again after the
	 * reconnect. Keepalive lets the operating system notice a peer that vanished without
	 * closing the connection.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer failFastClientOptions(DataRedisProperties properties) {
		Duration connectTimeout = (properties.getConnectTimeout() != null) ? properties.getConnectTimeout()
				: DEFAULT_CONNECT_TIMEOUT;
		return (builder) -> builder.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build());
	}

	/**
	 * Caps the reconnect back-off at one second (Lettuce's default grows to 30 s), so
	 * bookings resume within about a second of Redis coming back.
	 */
	@Bean
	ClientResourcesBuilderCustomizer shortReconnectDelay() {
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
	}

	/** Pools the buffers of Lettuce's large replies, such as the drift check's scans. */
	@Bean
	ClientResourcesBuilderCustomizer pooledReplyBuffers() {
		return (builder) -> builder.nettyCustomizer(new PooledBuffers());
	}

	@Bean(destroyMethod = "close")
	RedisLink redisLink(LettuceConnectionFactory connectionFactory) {
		AbstractRedisClient client = connectionFactory.getRequiredNativeClient();
		return RedisLink.connect(client, ScriptConnections.standaloneUri(connectionFactory));
	}

}

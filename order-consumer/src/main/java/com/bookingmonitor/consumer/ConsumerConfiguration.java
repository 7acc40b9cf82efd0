package com.bookingmonitor.consumer;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import com.bookingmonitor.common.PooledBuffers;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.common.StreamsProperties;
import com.bookingmonitor.consumer.persistence.BookingWriter;
import com.bookingmonitor.consumer.persistence.DeadLetterWriter;
import com.bookingmonitor.consumer.stream.ConsumerMetrics;
import com.bookingmonitor.consumer.stream.RedisLinkFactory;
import com.bookingmonitor.consumer.stream.StreamConsumer;
import com.bookingmonitor.consumer.stream.StreamMaintenance;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ ConsumerProperties.class, StreamsProperties.class })
class ConsumerConfiguration {

	@Bean
	RedisKeys redisKeys(StreamsProperties streams) {
		return streams.redisKeys();
	}

	/**
	 * Opens dedicated connections with the client Spring Data Redis built from
	 * {@code spring.data.redis.*}; a blocking read would stall a shared one.
	 */
	@Bean
	RedisLinkFactory redisLinkFactory(LettuceConnectionFactory connectionFactory) {
		return () -> RedisLink.connect(connectionFactory.getRequiredNativeClient(), standaloneUri(connectionFactory));
	}

	/**
	 * Caps Lettuce's reconnect delay (30 s by default) at the consumer's backoff, so the
	 * consumer resumes soon after Redis returns.
	 */
	@Bean
	ClientResourcesBuilderCustomizer reconnectDelay(ConsumerProperties properties) {
		Duration max = properties.backoff().max();
		return (builder) -> builder
			.reconnectDelay(Delay.exponential(properties.backoff().initial(), max, 2, TimeUnit.MILLISECONDS));
	}

	/** Pools the buffers of Lettuce's replies, which carry batches of stream entries. */
	@Bean
	ClientResourcesBuilderCustomizer pooledReplyBuffers() {
		return (builder) -> builder.nettyCustomizer(new PooledBuffers());
	}

	/**
	 * Fails commands while the connection is down instead of queueing them, and does not
	 * resend a command that was in flight when it dropped. A resent XREADGROUP would
	 * deliver newer entries, and the lost reply's entries would wait in this consumer's
	 * pending list until claimed. A failed read instead makes the worker reread its own
	 * pending entries. Keepalive lets the operating system notice a peer that vanished.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer failFastClientOptions(DataRedisProperties redis) {
		SocketOptions.Builder socket = SocketOptions.builder().keepAlive(true);
		if (redis.getConnectTimeout() != null) {
			socket.connectTimeout(redis.getConnectTimeout());
		}
		return (builder) -> builder.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.socketOptions(socket.build());
	}

	@Bean
	ConsumerMetrics consumerMetrics(MeterRegistry registry, RedisKeys keys) {
		return new ConsumerMetrics(registry, keys.partitions());
	}

	@Bean
	BookingWriter bookingWriter(DataSource dataSource) {
		return new BookingWriter(dataSource);
	}

	@Bean
	DeadLetterWriter deadLetterWriter(DataSource dataSource) {
		return new DeadLetterWriter(dataSource);
	}

	@Bean
	StreamConsumer streamConsumer(ConsumerProperties properties, RedisKeys keys, RedisLinkFactory links,
			BookingWriter bookingWriter, DeadLetterWriter deadLetterWriter, ConsumerMetrics metrics) {
		return new StreamConsumer(properties, keys, links, bookingWriter, deadLetterWriter, metrics);
	}

	@Bean
	StreamMaintenance streamMaintenance(ConsumerProperties properties, RedisKeys keys, RedisLinkFactory links,
			ConsumerMetrics metrics) {
		return new StreamMaintenance(properties, keys, links, metrics);
	}

	@Bean
	ConsumptionHealthIndicator consumptionHealthIndicator(StreamConsumer consumer) {
		return new ConsumptionHealthIndicator(consumer);
	}

	private static RedisURI standaloneUri(LettuceConnectionFactory connectionFactory) {
		RedisStandaloneConfiguration standalone = connectionFactory.getStandaloneConfiguration();
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(standalone.getHostName())
			.withPort(standalone.getPort())
			.withDatabase(standalone.getDatabase())
			.withSsl(connectionFactory.isUseSsl())
			.withTimeout(Duration.ofMillis(connectionFactory.getTimeout()));
		standalone.getPassword().toOptional().ifPresent((password) -> {
			if (standalone.getUsername() != null) {
				uri.withAuthentication(standalone.getUsername(), password);
			}
			else {
				uri.withPassword(password);
			}
		});
		return uri.build();
	}

}

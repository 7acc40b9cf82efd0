package com.bookingmonitor.api.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Opens connections of their own for callers that change a connection's state, such as
 * turning auto-flush off, which the shared {@code RedisLink} connection must not see.
 */
public final class ScriptConnections {

	private ScriptConnections() {
	}

	/**
	 * Opens a new connection to the single Redis that {@code spring.data.redis.*} names,
	 * with the client options of the shared connection (fail fast while disconnected,
	 * command timeout).
	 * @throws IllegalStateException when the factory's client is a cluster client
	 */
	public static StatefulRedisConnection<String, String> openStandalone(LettuceConnectionFactory connectionFactory) {
		return standaloneClient(connectionFactory).connect(standaloneUri(connectionFactory));
	}

	/**
	 * Returns the factory's client for a single Redis.
	 * @throws IllegalStateException when the factory's client is a cluster client
	 */
	public static RedisClient standaloneClient(LettuceConnectionFactory connectionFactory) {
		if (!(connectionFactory.getRequiredNativeClient() instanceof RedisClient client)) {
			throw new IllegalStateException("Failed to open a connection to a single Redis: the client is a "
					+ connectionFactory.getRequiredNativeClient().getClass().getName() + ", not a RedisClient");
		}
		return client;
	}

	/**
	 * Builds the address, credentials and timeout of a single Redis from Spring Data
	 * Redis's configuration, for connections opened outside its connection factory.
	 */
	static RedisURI standaloneUri(LettuceConnectionFactory connectionFactory) {
		RedisStandaloneConfiguration standalone = connectionFactory.getStandaloneConfiguration();
		RedisURI.Builder uri = RedisURI.builder()
			.withHost(standalone.getHostName())
			.withPort(standalone.getPort())
			.withDatabase(standalone.getDatabase())
			.withSsl(connectionFactory.isUseSsl())
			.withTimeout(connectionFactory.getClientConfiguration().getCommandTimeout());
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

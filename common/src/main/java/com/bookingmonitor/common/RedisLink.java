package com.bookingmonitor.common;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * One Lettuce connection to either a single Redis or a Redis Cluster, seen through the
 * command interfaces both share. Code written against it runs on both, as long as each
 * command's keys share one hash slot.
 *
 * @param connection the connection, closed by {@link #close()}
 * @param sync blocking commands on that connection
 * @param async asynchronous commands on that connection
 */
public record RedisLink(StatefulConnection<String, String> connection, RedisClusterCommands<String, String> sync,
		RedisClusterAsyncCommands<String, String> async) implements AutoCloseable {

	/**
	 * Opens a new connection with a client that Spring Data Redis built from the
	 * {@code spring.data.redis.*} properties.
	 * @param client a {@link RedisClient} or a {@link RedisClusterClient}
	 * @param standaloneUri where a {@link RedisClient} connects; ignored for a cluster
	 * client, which has its own seed nodes
	 */
	public static RedisLink connect(AbstractRedisClient client, RedisURI standaloneUri) {
		if (client instanceof RedisClusterClient clusterClient) {
			StatefulRedisClusterConnection<String, String> connection = clusterClient.connect();
			return new RedisLink(connection, connection.sync(), connection.async());
		}
		if (client instanceof RedisClient redisClient) {
			StatefulRedisConnection<String, String> connection = redisClient.connect(standaloneUri);
			return new RedisLink(connection, connection.sync(), connection.async());
		}
		throw new IllegalArgumentException("Unsupported Redis client " + client.getClass().getName()
				+ ": expected RedisClient or RedisClusterClient");
	}

	public boolean isCluster() {
		return this.connection instanceof StatefulRedisClusterConnection;
	}

	@Override
	public void close() {
		this.connection.close();
	}

}

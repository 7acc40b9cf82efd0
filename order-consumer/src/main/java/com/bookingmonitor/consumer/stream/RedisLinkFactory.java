package com.bookingmonitor.consumer.stream;

import com.bookingmonitor.common.RedisLink;

/** Opens a new connection to the booking Redis, a single server or a cluster. */
@FunctionalInterface
public interface RedisLinkFactory {

	RedisLink connect();

}

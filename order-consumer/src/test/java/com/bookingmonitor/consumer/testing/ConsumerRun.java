package com.bookingmonitor.consumer.testing;

import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.ConsumerProperties;
import com.bookingmonitor.consumer.persistence.BookingWriter;
import com.bookingmonitor.consumer.persistence.DeadLetterWriter;
import com.bookingmonitor.consumer.stream.ConsumerMetrics;
import com.bookingmonitor.consumer.stream.RedisLinkFactory;
import com.bookingmonitor.consumer.stream.StreamConsumer;
import com.bookingmonitor.consumer.stream.StreamMaintenance;

/** A consumer wired by hand, without Spring, against test-owned servers. */
public final class ConsumerRun implements AutoCloseable {

	private final ClientResources resources;

	private final RedisClient client;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final StreamConsumer consumer;

	private final StreamMaintenance maintenance;

	private final ConsumerProperties properties;

	private ConsumerRun(String redisUri, TestDatabase database, RedisKeys keys, ConsumerProperties properties) {
		// The reconnect delay the application configures, instead of Lettuce's 30 s cap.
		this.resources = ClientResources.builder()
			.reconnectDelay(Delay.exponential(properties.backoff().initial(), properties.backoff().max(), 2,
					TimeUnit.MILLISECONDS))
			.build();
		this.client = RedisClient.create(this.resources);
		this.properties = properties;
		RedisURI uri = RedisURI.create(redisUri);
		RedisLinkFactory links = () -> RedisLink.connect(this.client, uri);
		ConsumerMetrics metrics = new ConsumerMetrics(this.registry, keys.partitions());
		this.consumer = new StreamConsumer(properties, keys, links, new BookingWriter(database.dataSource()),
				new DeadLetterWriter(database.dataSource()), metrics);
		this.maintenance = new StreamMaintenance(properties, keys, links, metrics);
	}

	/** Creates a consumer without starting it. */
	public static ConsumerRun create(String redisUri, TestDatabase database, RedisKeys keys,
			ConsumerProperties properties) {
		return new ConsumerRun(redisUri, database, keys, properties);
	}

	public static ConsumerRun start(String redisUri, TestDatabase database, RedisKeys keys,
			ConsumerProperties properties) {
		ConsumerRun run = create(redisUri, database, keys, properties);
		run.consumer.start();
		run.maintenance.start();
		return run;
	}

	public StreamConsumer consumer() {
		return this.consumer;
	}

	public StreamMaintenance maintenance() {
		return this.maintenance;
	}

	public SimpleMeterRegistry registry() {
		return this.registry;
	}

	public String name() {
		return this.properties.name();
	}

	public double count(String counterName) {
		Counter counter = this.registry.find(counterName).counter();
		return (counter != null) ? counter.count() : 0;
	}

	public double gauge(String gaugeName, int partition) {
		return this.registry.get(gaugeName).tag("partition", Integer.toString(partition)).gauge().value();
	}

	@Override
	public void close() {
		this.maintenance.stop();
		this.consumer.stop();
		this.client.shutdown();
		this.resources.shutdown();
	}

}

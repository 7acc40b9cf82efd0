package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The consumer's meters. Names and tags follow the shared metric list; the only tag is
 * {@code partition}, a number below the partition count.
 */
public final class ConsumerMetrics {

	final Counter entriesRead;

	final Counter persisted;

	final Counter duplicates;

	final Counter deadLettered;

	final Counter claimed;

	final Counter deleted;

	final Counter groupRecreated;

	final DistributionSummary batchSize;

	final Timer insert;

	final Timer endToEnd;

	private final List<PartitionStats> partitions;

	private volatile BooleanSupplier running = () -> false;

	public ConsumerMetrics(MeterRegistry registry, int partitionCount) {
		this.entriesRead = Counter.builder("consumer.entries.read")
			.description("Stream entries delivered to this consumer, redeliveries included")
			.register(registry);
		this.persisted = Counter.builder("consumer.bookings.persisted")
			.description("Bookings inserted into PostgreSQL")
			.register(registry);
		this.duplicates = Counter.builder("consumer.bookings.duplicates")
			.description("Entries whose booking was already in PostgreSQL; acknowledged without a new row")
			.register(registry);
		this.deadLettered = Counter.builder("consumer.entries.dead.lettered")
			.description("Entries written to the dead-letter table and acknowledged")
			.register(registry);
		this.claimed = Counter.builder("consumer.entries.claimed")
			.description("Idle pending entries claimed from other consumers")
			.register(registry);
		this.deleted = Counter.builder("consumer.entries.deleted")
			.description("Entries deleted from the stream while pending")
			.register(registry);
		this.groupRecreated = Counter.builder("consumer.group.recreated")
			.description("Times the consumer group was missing and created again")
			.register(registry);
		this.batchSize = DistributionSummary.builder("consumer.batch.size")
			.description("Entries per batch read from a partition stream")
			.register(registry);
		this.insert = Timer.builder("consumer.insert")
			.description("Insert and commit of one batch of bookings")
			.register(registry);
		this.endToEnd = Timer.builder("consumer.end.to.end")
			.description("From the booking API accepting a booking to its commit in PostgreSQL")
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(1))
			.maximumExpectedValue(Duration.ofMinutes(5))
			.register(registry);
		this.partitions = new ArrayList<>(partitionCount);
		for (int partition = 0; partition < partitionCount; partition++) {
			PartitionStats stats = new PartitionStats();
			this.partitions.add(stats);
			String tag = Integer.toString(partition);
			gauge(registry, "consumer.stream.length", "Entries in the partition stream", null, tag, stats,
					s -> s.streamLength);
			gauge(registry, "consumer.pending.entries", "Entries delivered to the group and not yet acknowledged", null,
					tag, stats, s -> s.pendingEntries);
			gauge(registry, "consumer.lag", "Entries not yet delivered to the group", null, tag, stats, s -> s.lag);
			gauge(registry, "consumer.pending.oldest.age", "Age of the oldest pending entry, from its id", "seconds",
					tag, stats, s -> s.oldestPendingAgeSeconds);
		}
		Gauge.builder("consumer.running", this, metrics -> metrics.running.getAsBoolean() ? 1 : 0)
			.description("1 while every partition worker consumes, otherwise 0")
			.register(registry);
	}

	PartitionStats partition(int partition) {
		return this.partitions.get(partition);
	}

	void running(BooleanSupplier running) {
		this.running = running;
	}

	private static void gauge(MeterRegistry registry, String name, String description, String baseUnit,
			String partition, PartitionStats stats, ToDoubleFunction<PartitionStats> value) {
		Gauge.builder(name, stats, value)
			.description(description)
			.baseUnit(baseUnit)
			.tag("partition", partition)
			.strongReference(true)
			.register(registry);
	}

}

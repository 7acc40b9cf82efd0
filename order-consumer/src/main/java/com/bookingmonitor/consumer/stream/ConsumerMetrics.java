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
		this.entriesRead = counter(registry, "consumer.entries.read",
				"Stream entries delivered to this consumer, redeliveries included");
		this.persisted = counter(registry, "consumer.bookings.persisted", "Bookings inserted into PostgreSQL");
		this.duplicates = counter(registry, "consumer.bookings.duplicates",
				"Entries whose booking was already in PostgreSQL; acknowledged without a new row");
		this.deadLettered = counter(registry, "consumer.entries.dead.lettered",
				"Entries written to the dead-letter table and acknowledged");
		this.claimed = counter(registry, "consumer.entries.claimed", "Idle pending entries claimed with XAUTOCLAIM");
		this.deleted = counter(registry, "consumer.entries.deleted", "Entries deleted from the stream while pending");
		this.groupRecreated = counter(registry, "consumer.group.recreated",
				"Times the consumer group was missing and created again");

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
			registerPartitionGauges(registry, Integer.toString(partition), stats);
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

	private static Counter counter(MeterRegistry registry, String name, String description) {
		return Counter.builder(name).description(description).register(registry);
	}

	private static void registerPartitionGauges(MeterRegistry registry, String partition, PartitionStats stats) {
		gauge(registry, "consumer.stream.length", "Entries in the partition stream", null, partition, stats,
				s -> s.streamLength);
		gauge(registry, "consumer.pending.entries", "Entries delivered to the group and not yet acknowledged", null,
				partition, stats, s -> s.pendingEntries);
		gauge(registry, "consumer.lag", "Entries not yet delivered to the group", null, partition, stats, s -> s.lag);
		gauge(registry, "consumer.pending.oldest.age", "Time since the oldest pending entry was last delivered",
				"seconds", partition, stats, s -> s.oldestPendingAgeSeconds);
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

package com.bookingmonitor.consumer.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.consumer.ConsumerProperties;
import com.bookingmonitor.consumer.persistence.BookingWriter;
import com.bookingmonitor.consumer.persistence.DeadLetterWriter;

/**
 * Runs one {@link PartitionWorker} thread per partition stream, all in one consumer
 * group. A Redis Cluster cannot serve one read across hash slots, so each partition is
 * read on its own.
 *
 * <p>
 * As a {@link SmartLifecycle} in the last phase it stops first on shutdown: the workers
 * stop reading, finish, commit and acknowledge the batch in hand, and exit, before the
 * Redis and database connections close.
 */
public final class StreamConsumer implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);

	private final ConsumerProperties properties;

	private final RedisKeys keys;

	private final RedisLinkFactory links;

	private final BookingWriter bookingWriter;

	private final DeadLetterWriter deadLetterWriter;

	private final ConsumerMetrics metrics;

	private final Object monitor = new Object();

	private List<Running> workers = List.of();

	private StopSignal stop;

	public StreamConsumer(ConsumerProperties properties, RedisKeys keys, RedisLinkFactory links,
			BookingWriter bookingWriter, DeadLetterWriter deadLetterWriter, ConsumerMetrics metrics) {
		this.properties = properties;
		this.keys = keys;
		this.links = links;
		this.bookingWriter = bookingWriter;
		this.deadLetterWriter = deadLetterWriter;
		this.metrics = metrics;
		metrics.running(this::isConsuming);
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (!this.workers.isEmpty()) {
				return;
			}
			this.stop = new StopSignal();
			List<Running> started = new ArrayList<>();
			for (int partition = 0; partition < this.keys.partitions(); partition++) {
				PartitionStream stream = new PartitionStream(this.keys, partition, this.properties.group(),
						this.properties.name());
				PartitionWorker worker = new PartitionWorker(stream, this.properties, this.keys, this.links,
						this.bookingWriter, this.deadLetterWriter, this.metrics, this.stop);
				Thread thread = Thread.ofPlatform().name("consumer-p" + partition).start(worker);
				started.add(new Running(worker, thread));
			}
			this.workers = List.copyOf(started);
			log.info("Consumer started consumer={} group={} partitions={}", this.properties.name(),
					this.properties.group(), this.keys.partitions());
		}
	}

	@Override
	public void stop() {
		synchronized (this.monitor) {
			if (this.workers.isEmpty()) {
				return;
			}
			this.stop.stop();
			long deadline = System.nanoTime() + this.properties.shutdownTimeout().toNanos();
			for (Running running : this.workers) {
				try {
					long left = Math.max(1, deadline - System.nanoTime());
					if (!running.thread().join(Duration.ofNanos(left))) {
						log.warn(
								"Partition worker did not stop within the shutdown timeout consumer={} partition={}"
										+ " timeout={}",
								this.properties.name(), running.worker().partition(),
								this.properties.shutdownTimeout());
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					break;
				}
			}
			this.workers = List.of();
			log.info("Consumer stopped consumer={} group={}", this.properties.name(), this.properties.group());
		}
	}

	@Override
	public boolean isRunning() {
		return !this.workers.isEmpty();
	}

	/**
	 * Returns whether every partition worker is alive and has completed a loop within the
	 * stall timeout.
	 */
	public boolean isConsuming() {
		List<Running> current = this.workers;
		return !current.isEmpty() && current.stream().allMatch(this::isHealthy);
	}

	/** Describes each worker that is not consuming, by partition. */
	public Map<Integer, String> problems() {
		Map<Integer, String> problems = new TreeMap<>();
		for (Running running : this.workers) {
			if (!running.thread().isAlive()) {
				problems.put(running.worker().partition(), "worker thread ended");
			}
			else if (!isHealthy(running)) {
				problems.put(running.worker().partition(),
						"no loop completed for " + running.worker().sinceLastLoop().toSeconds() + " s");
			}
		}
		return problems;
	}

	private boolean isHealthy(Running running) {
		return running.thread().isAlive()
				&& running.worker().sinceLastLoop().compareTo(this.properties.stallTimeout()) < 0;
	}

	private record Running(PartitionWorker worker, Thread thread) {

	}

}

package com.bookingmonitor.consumer.stream;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.common.RedisLink;
import com.bookingmonitor.consumer.ConsumerProperties;
import com.bookingmonitor.consumer.ConsumerProperties.PausePoint;
import com.bookingmonitor.consumer.persistence.BookingRow;
import com.bookingmonitor.consumer.persistence.BookingWriter;
import com.bookingmonitor.consumer.persistence.DeadLetter;
import com.bookingmonitor.consumer.persistence.DeadLetterWriter;
import com.bookingmonitor.consumer.persistence.InsertResult;

/**
 * Consumes one partition stream on its own thread and its own Redis connection, which a
 * blocking read occupies.
 *
 * <p>
 * Each loop does one step: create the consumer group if needed, retry an acknowledgement
 * that failed, claim idle entries when due, or read a batch (first this consumer's own
 * pending entries, then new ones) and handle it. Handling inserts the batch in one
 * transaction and only then acknowledges it, so a crash at any point leaves the entries
 * pending for redelivery, and the booking id's primary key makes the redelivery harmless.
 * A failed step is logged, backed off and retried; it never ends the loop.
 */
final class PartitionWorker implements Runnable {

	private static final Logger log = LoggerFactory.getLogger(PartitionWorker.class);

	/** Timeout of a Redis command on top of a blocking read's own wait. */
	static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

	private static final String OWN_PENDING_START = "0";

	private final PartitionStream stream;

	private final ConsumerProperties properties;

	private final RedisKeys keys;

	private final RedisLinkFactory links;

	private final BookingWriter bookingWriter;

	private final DeadLetterWriter deadLetterWriter;

	private final ConsumerMetrics metrics;

	private final StopSignal stop;

	private final Backoff backoff;

	private RedisLink redis;

	private boolean groupReady;

	private boolean groupLost;

	// Position in this consumer's own pending entries; null once they are all read.
	private String ownPendingCursor = OWN_PENDING_START;

	private String claimCursor = PartitionStream.ClaimResult.SCAN_COMPLETE;

	private long nextClaimNanos = System.nanoTime();

	// A batch committed but not yet acknowledged because Redis failed.
	private Acknowledgement unacknowledged;

	// A read of new entries sent before the previous batch was handled, or null.
	private RedisFuture<List<StreamMessage<String, String>>> prefetch;

	private volatile long lastLoopNanos = System.nanoTime();

	PartitionWorker(PartitionStream stream, ConsumerProperties properties, RedisKeys keys, RedisLinkFactory links,
			BookingWriter bookingWriter, DeadLetterWriter deadLetterWriter, ConsumerMetrics metrics, StopSignal stop) {
		this.stream = stream;
		this.properties = properties;
		this.keys = keys;
		this.links = links;
		this.bookingWriter = bookingWriter;
		this.deadLetterWriter = deadLetterWriter;
		this.metrics = metrics;
		this.stop = stop;
		this.backoff = new Backoff(properties.backoff().initial(), properties.backoff().max());
	}

	int partition() {
		return this.stream.partition();
	}

	/** Time since the worker last completed a loop, successful or not. */
	Duration sinceLastLoop() {
		return Duration.ofNanos(System.nanoTime() - this.lastLoopNanos);
	}

	@Override
	public void run() {
		log.info("Partition worker started consumer={} partition={} stream={}", this.properties.name(), partition(),
				this.stream.stream());
		try {
			while (!this.stop.isStopped()) {
				step();
				this.lastLoopNanos = System.nanoTime();
			}
		}
		finally {
			if (this.unacknowledged != null) {
				log.warn(
						"Partition worker stopped with a committed batch unacknowledged; its entries stay pending"
								+ " and their redelivery counts as duplicates consumer={} partition={} entries={}",
						this.properties.name(), partition(), this.unacknowledged.entryIds().size());
			}
			if (this.redis != null) {
				this.redis.close();
			}
			log.info("Partition worker stopped consumer={} partition={}", this.properties.name(), partition());
		}
	}

	private void step() {
		try {
			connect();
			// A claim that finds nothing proves little: only the other steps end a
			// failure streak.
			boolean progressed = true;
			if (!this.groupReady) {
				createGroup();
			}
			else if (this.unacknowledged != null) {
				acknowledge(this.unacknowledged);
			}
			else if (System.nanoTime() - this.nextClaimNanos >= 0) {
				progressed = claim();
			}
			else {
				read();
			}
			if (progressed && this.backoff.failures() > 0) {
				log.info("Partition worker recovered consumer={} partition={} failedAttempts={}",
						this.properties.name(), partition(), this.backoff.failures());
				this.backoff.reset();
			}
		}
		catch (SQLException | RuntimeException ex) {
			failed(ex);
		}
	}

	private void connect() {
		if (this.redis == null) {
			RedisLink link = this.links.connect();
			link.connection().setTimeout(this.properties.block().plus(COMMAND_TIMEOUT));
			this.redis = link;
		}
	}

	private void createGroup() {
		boolean created = this.stream.createGroup(this.redis);
		if (created && this.groupLost) {
			this.metrics.groupRecreated.increment();
			log.warn(
					"Consumer group was missing and is recreated from the start of the stream, as after a Redis"
							+ " restart without persistence or a FLUSHALL consumer={} partition={} group={}",
					this.properties.name(), partition(), this.properties.group());
		}
		else if (created) {
			log.info("Created consumer group consumer={} partition={} group={}", this.properties.name(), partition(),
					this.properties.group());
		}
		this.groupReady = true;
		this.groupLost = false;
	}

	private void read() throws SQLException {
		List<StreamMessage<String, String>> entries;
		if (this.ownPendingCursor != null) {
			entries = this.stream.readOwnPending(this.redis, this.ownPendingCursor, this.properties.batchSize());
			if (entries.isEmpty()) {
				this.ownPendingCursor = null;
				return;
			}
			this.ownPendingCursor = entries.getLast().getId();
		}
		else if (this.prefetch != null) {
			RedisFuture<List<StreamMessage<String, String>>> sent = this.prefetch;
			this.prefetch = null;
			entries = LettuceFutures.awaitOrCancel(sent, COMMAND_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
		}
		else {
			entries = this.stream.readNew(this.redis, this.properties.batchSize(), this.properties.block());
		}
		if (!entries.isEmpty()) {
			// A full batch suggests a backlog, so the next batch is read while this one
			// is inserted. That read has no BLOCK, so the acknowledgement sent after it
			// on this connection does not wait for new entries.
			if (this.ownPendingCursor == null && entries.size() == this.properties.batchSize()) {
				this.prefetch = this.stream.readNewAsync(this.redis, this.properties.batchSize());
			}
			handle(entries);
		}
	}

	/** Claims and handles idle entries; returns whether there were any. */
	private boolean claim() throws SQLException {
		PartitionStream.ClaimResult result = this.stream.claim(this.redis, this.properties.claimMinIdle(),
				this.claimCursor, this.properties.batchSize());
		// A partial scan continues in the next loop; a complete one waits for the
		// interval.
		this.claimCursor = result.nextCursor();
		if (PartitionStream.ClaimResult.SCAN_COMPLETE.equals(this.claimCursor)) {
			this.nextClaimNanos = System.nanoTime() + this.properties.claimInterval().toNanos();
		}
		// Redis has already removed these from the pending entries.
		countDeleted(result.deletedIds());
		if (!result.entries().isEmpty()) {
			this.metrics.claimed.increment(result.entries().size());
			log.info("Claimed idle pending entries consumer={} partition={} entries={} firstEntry={}",
					this.properties.name(), partition(), result.entries().size(), result.entries().getFirst().getId());
			handle(result.entries());
			return true;
		}
		return false;
	}

	private void handle(List<StreamMessage<String, String>> entries) throws SQLException {
		this.metrics.entriesRead.increment(entries.size());
		this.metrics.batchSize.record(entries.size());
		EntryBatch batch = EntryBatch.of(entries);
		pauseAt(PausePoint.AFTER_READ, entries.size());

		InsertResult inserted = insert(batch.rows());
		pauseAt(PausePoint.AFTER_COMMIT, entries.size());

		List<DeadLetter> deadLetters = deadLettersOf(entries, batch, inserted);
		Set<UUID> booked = this.deadLetterWriter.write(deadLetters);
		for (DeadLetter deadLetter : deadLetters) {
			log.warn("Dead-lettered stream entry consumer={} partition={} entry={} booking={} deliveries={} error={}",
					this.properties.name(), partition(), deadLetter.entryId(), deadLetter.bookingId(),
					deadLetter.deliveryCount(), deadLetter.error());
		}
		this.metrics.deadLettered.increment(deadLetters.size());

		countDeleted(batch.deletedIds());
		this.unacknowledged = acknowledgementOf(batch, inserted, deadLetters, booked);
		acknowledge(this.unacknowledged);
	}

	private InsertResult insert(List<BookingRow> rows) throws SQLException {
		long start = System.nanoTime();
		InsertResult result = this.bookingWriter.insert(rows);
		if (!rows.isEmpty()) {
			this.metrics.insert.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
		}
		long committedAt = System.currentTimeMillis();
		for (BookingRow row : result.inserted()) {
			this.metrics.endToEnd.record(committedAt - row.booking().acceptedAt().toEpochMilli(),
					TimeUnit.MILLISECONDS);
		}
		this.metrics.persisted.increment(result.inserted().size());
		this.metrics.duplicates.increment(result.duplicates().size());
		return result;
	}

	/**
	 * Collects the entries to dead-letter: those that do not decode, and those that
	 * failed on their data and have reached the maximum number of deliveries. Failed
	 * entries below it stay pending, so a later claim delivers them again.
	 */
	private List<DeadLetter> deadLettersOf(List<StreamMessage<String, String>> entries, EntryBatch batch,
			InsertResult inserted) {
		List<String> entryIds = new ArrayList<>();
		batch.undecodable().forEach(entry -> entryIds.add(entry.entryId()));
		inserted.failed().forEach(failed -> entryIds.add(failed.row().entryId()));
		if (entryIds.isEmpty()) {
			return List.of();
		}
		Map<String, Long> deliveries = this.stream.deliveryCounts(this.redis, entryIds, COMMAND_TIMEOUT);
		List<DeadLetter> deadLetters = new ArrayList<>();
		for (EntryBatch.Undecodable entry : batch.undecodable()) {
			deadLetters.add(new DeadLetter(this.stream.stream(), entry.entryId(), entry.bookingId(), entry.fields(),
					entry.error(), deliveries.getOrDefault(entry.entryId(), 0L)));
		}
		Map<String, Map<String, String>> fieldsById = new HashMap<>();
		entries.forEach(entry -> fieldsById.put(entry.getId(), entry.getBody()));
		for (InsertResult.FailedRow failed : inserted.failed()) {
			BookingRow row = failed.row();
			long count = deliveries.getOrDefault(row.entryId(), 0L);
			String error = "Insert failed with SQLState " + failed.sqlState() + ": " + failed.message();
			if (count >= this.properties.maxDeliveries()) {
				deadLetters.add(new DeadLetter(this.stream.stream(), row.entryId(), row.booking().bookingId(),
						fieldsById.get(row.entryId()), error, count));
			}
			else {
				log.warn(
						"Booking insert failed on its data; the entry stays pending for redelivery consumer={}"
								+ " partition={} entry={} booking={} deliveries={} error={}",
						this.properties.name(), partition(), row.entryId(), row.booking().bookingId(), count, error);
			}
		}
		return deadLetters;
	}

	private Acknowledgement acknowledgementOf(EntryBatch batch, InsertResult inserted, List<DeadLetter> deadLetters,
			Set<UUID> booked) {
		List<String> entryIds = new ArrayList<>();
		List<String> removedBookingIds = new ArrayList<>();
		for (List<BookingRow> rows : List.of(inserted.inserted(), inserted.duplicates())) {
			for (BookingRow row : rows) {
				entryIds.add(row.entryId());
				removedBookingIds.add(row.booking().bookingId().toString());
			}
		}
		entryIds.addAll(batch.deletedIds());
		List<String> returnable = new ArrayList<>();
		for (DeadLetter deadLetter : deadLetters) {
			entryIds.add(deadLetter.entryId());
			if (deadLetter.bookingId() == null) {
				continue;
			}
			if (booked.contains(deadLetter.bookingId())) {
				// Persisted by another entry: the tickets are sold, only the pending
				// field goes.
				removedBookingIds.add(deadLetter.bookingId().toString());
			}
			else {
				returnable.add(deadLetter.bookingId().toString());
			}
		}
		List<Acknowledgement.TicketReturn> ticketReturns = ticketReturnsOf(returnable, removedBookingIds);
		return new Acknowledgement(entryIds, removedBookingIds, ticketReturns);
	}

	/**
	 * Reads the event and quantity of each dead-lettered booking from its
	 * pending-bookings value, which the booking script wrote with the tickets it took
	 * from the inventory. A booking without a value has been handled already.
	 */
	private List<Acknowledgement.TicketReturn> ticketReturnsOf(List<String> bookingIds,
			List<String> removedBookingIds) {
		if (bookingIds.isEmpty()) {
			return List.of();
		}
		List<Acknowledgement.TicketReturn> ticketReturns = new ArrayList<>();
		for (Map.Entry<String, String> pending : this.stream.pendingBookings(this.redis, bookingIds).entrySet()) {
			String bookingId = pending.getKey();
			PendingBooking booking;
			try {
				booking = PendingBooking.decode(pending.getValue());
			}
			catch (IllegalArgumentException ex) {
				booking = null;
			}
			if (booking == null || this.keys.partitionOf(booking.eventId()) != partition()) {
				log.warn("Pending booking value is invalid; its tickets are not returned consumer={} partition={}"
						+ " booking={}", this.properties.name(), partition(), bookingId);
				removedBookingIds.add(bookingId);
				continue;
			}
			ticketReturns.add(new Acknowledgement.TicketReturn(bookingId, this.keys.inventory(booking.eventId()),
					booking.quantity()));
		}
		return ticketReturns;
	}

	private void acknowledge(Acknowledgement acknowledgement) {
		Acknowledgement.Result result = this.stream.acknowledge(this.redis, acknowledgement);
		this.unacknowledged = null;
		if (result.ticketsReturned() > 0) {
			log.info("Returned tickets of dead-lettered bookings to the inventory consumer={} partition={} tickets={}",
					this.properties.name(), partition(), result.ticketsReturned());
		}
	}

	private void countDeleted(List<String> entryIds) {
		for (String entryId : entryIds) {
			log.warn("Stream entry was deleted while pending; dropped from the pending entries consumer={}"
					+ " partition={} entry={}", this.properties.name(), partition(), entryId);
		}
		this.metrics.deleted.increment(entryIds.size());
	}

	private void pauseAt(PausePoint point, int entries) {
		if (this.properties.fault().pauseAt() != point) {
			return;
		}
		log.warn("Fault injection: paused {} consumer={} partition={} entries={}",
				point.name().toLowerCase().replace('_', '-'), this.properties.name(), partition(), entries);
		this.stop.awaitStop();
		throw new IllegalStateException("Stopped while paused by fault injection at " + point);
	}

	private void failed(Exception ex) {
		// Entries that a prefetch delivered are pending for this consumer, so the reread
		// of its own pending entries finds them.
		this.prefetch = null;
		this.ownPendingCursor = OWN_PENDING_START;
		if (PartitionStream.isNoGroup(ex)) {
			this.groupReady = false;
			this.groupLost = true;
		}
		Duration wait = this.backoff.next();
		if (this.backoff.failures() == 1 && !this.groupLost) {
			log.warn("Partition worker step failed; retrying with backoff consumer={} partition={} retryIn={}",
					this.properties.name(), partition(), wait, ex);
		}
		else {
			log.debug("Partition worker step failed again consumer={} partition={} failedAttempts={} retryIn={}",
					this.properties.name(), partition(), this.backoff.failures(), wait, ex);
		}
		this.stop.await(wait);
	}

}

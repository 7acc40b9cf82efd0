package com.bookingmonitor.api.booking;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.booking.BookingScript.Outcome;
import com.bookingmonitor.common.BookingEvent;
import com.bookingmonitor.common.BookingStreamCodec;
import com.bookingmonitor.common.PendingBooking;
import com.bookingmonitor.common.RedisKeys;
import com.bookingmonitor.testsupport.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/** The booking script's outcomes against a real Redis, without Spring. */
class BookingScriptTests {

	private static final RedisServer redis = RedisServer.start();

	private static final RedisClient client = RedisClient.create(redis.uri());

	private static final StatefulRedisConnection<String, String> connection = client.connect();

	private final RedisCommands<String, String> commands = connection.sync();

	private final RedisKeys keys = new RedisKeys("test", 8);

	private final BookingScript script = new BookingScript(this.keys, 4, 60_000);

	private static final long EVENT = 11;

	@AfterAll
	static void stopRedis() {
		connection.close();
		client.shutdown();
		redis.close();
	}

	@BeforeEach
	void emptyRedis() {
		this.commands.flushall();
	}

	@Test
	void bookingIsAccepted() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		BookingEvent booking = booking("u-1", 3);

		BookingScript.Result result = run(this.script.call(booking, null));

		assertThat(result.outcome()).isEqualTo(Outcome.ACCEPTED);
		assertThat(result.count()).isEqualTo(7);
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("7");
		assertThat(this.commands.hget(this.keys.eventKey(EVENT, BookingScript.USER_TICKETS_SUFFIX), "u-1"))
			.isEqualTo("3");
	}

	@Test
	void streamEntryDecodesWithCodec() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		BookingEvent booking = booking("user|with|bars", 2);

		run(this.script.call(booking, null));

		List<StreamMessage<String, String>> entries = this.commands
			.xread(StreamOffset.from(this.keys.streamOfEvent(EVENT), "0"));
		assertThat(entries).hasSize(1);
		Map<String, String> fields = entries.get(0).getBody();
		assertThat(List.copyOf(fields.keySet())).containsExactlyElementsOf(BookingStreamCodec.encode(booking).keySet());
		assertThat(BookingStreamCodec.decode(fields)).isEqualTo(booking);
	}

	@Test
	void pendingHashHoldsBooking() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		BookingEvent booking = booking("u-1", 2);

		run(this.script.call(booking, null));

		String value = this.commands.hget(this.keys.pendingBookingsOfEvent(EVENT), booking.bookingId().toString());
		assertThat(PendingBooking.decode(value)).isEqualTo(PendingBooking.of(booking));
	}

	@Test
	void lastTicketIsAccepted() {
		this.commands.set(this.keys.inventory(EVENT), "2");

		BookingScript.Result result = run(this.script.call(booking("u-1", 2), null));

		assertThat(result.outcome()).isEqualTo(Outcome.ACCEPTED);
		assertThat(result.count()).isZero();
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("0");
	}

	@Test
	void quantityAboveAvailableChangesNothing() {
		this.commands.set(this.keys.inventory(EVENT), "1");

		BookingScript.Result result = run(this.script.call(booking("u-1", 2), null));

		assertThat(result.outcome()).isEqualTo(Outcome.SOLD_OUT);
		assertThat(result.count()).isEqualTo(1);
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("1");
		assertThat(this.commands.exists(this.keys.streamOfEvent(EVENT))).isZero();
		assertThat(this.commands.exists(this.keys.pendingBookingsOfEvent(EVENT))).isZero();
		assertThat(this.commands.exists(this.keys.eventKey(EVENT, BookingScript.USER_TICKETS_SUFFIX))).isZero();
	}

	@Test
	void missingInventoryKeyIsNotCreated() {
		BookingScript.Result result = run(this.script.call(booking("u-1", 1), null));

		assertThat(result.outcome()).isEqualTo(Outcome.MISSING_INVENTORY);
		assertThat(this.commands.exists(this.keys.inventory(EVENT))).isZero();
		assertThat(this.commands.dbsize()).isZero();
	}

	@Test
	void userLimitRejectsWithoutChange() {
		this.commands.set(this.keys.inventory(EVENT), "100");
		run(this.script.call(booking("u-1", 3), null));

		BookingScript.Result result = run(this.script.call(booking("u-1", 2), null));

		assertThat(result.outcome()).isEqualTo(Outcome.LIMIT_REACHED);
		assertThat(result.count()).isEqualTo(3);
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("97");
		assertThat(this.commands.xlen(this.keys.streamOfEvent(EVENT))).isEqualTo(1);
	}

	@Test
	void idempotencyKeyReplaysFirstBooking() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		IdempotencyKey key = new IdempotencyKey("retry-1");
		BookingEvent first = booking("u-1", 1);

		run(this.script.call(first, key));
		BookingScript.Result replay = run(this.script.call(booking("u-1", 1), key));

		assertThat(replay.outcome()).isEqualTo(Outcome.REPLAYED);
		assertThat(replay.bookingId()).isEqualTo(first.bookingId().toString());
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("9");
		assertThat(this.commands.xlen(this.keys.streamOfEvent(EVENT))).isEqualTo(1);
		assertThat(this.commands.pttl(this.script.idempotencyRedisKey(EVENT, key))).isBetween(1L, 60_000L);
	}

	@Test
	void idempotencyKeyWithOtherBodyConflicts() {
		this.commands.set(this.keys.inventory(EVENT), "10");
		IdempotencyKey key = new IdempotencyKey("retry-1");
		BookingEvent first = booking("u-1", 1);
		run(this.script.call(first, key));

		BookingScript.Result conflict = run(this.script.call(booking("u-1", 2), key));

		assertThat(conflict.outcome()).isEqualTo(Outcome.IDEMPOTENCY_CONFLICT);
		assertThat(conflict.bookingId()).isEqualTo(first.bookingId().toString());
		assertThat(this.commands.get(this.keys.inventory(EVENT))).isEqualTo("9");
	}

	@Test
	void probeWritesNothing() {
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			BookingScript.Result result = run(this.script.probe(partition));

			assertThat(result.outcome()).isEqualTo(Outcome.MISSING_INVENTORY);
		}
		assertThat(this.commands.dbsize()).isZero();
	}

	@Test
	void allKeysOfOneCallShareSlot() {
		for (long eventId = 1; eventId <= 50; eventId++) {
			BookingEvent booking = new BookingEvent(UUID.randomUUID(), eventId, "u-1", 1, Instant.now());
			List<String> callKeys = this.script.call(booking, new IdempotencyKey("k{}" + eventId)).keys();

			assertThat(callKeys).hasSize(5);
			assertThat(callKeys).extracting(SlotHash::getSlot).containsOnly(SlotHash.getSlot(callKeys.get(0)));
		}
		for (int partition = 0; partition < this.keys.partitions(); partition++) {
			List<String> probeKeys = this.script.probe(partition).keys();

			assertThat(probeKeys).extracting(SlotHash::getSlot).containsOnly(SlotHash.getSlot(probeKeys.get(0)));
		}
	}

	private BookingScript.Result run(BookingScript.Call call) {
		List<Object> reply = this.commands.eval(BookingScript.SCRIPT.source(), ScriptOutputType.MULTI,
				call.keys().toArray(String[]::new), call.arguments().toArray(String[]::new));
		return BookingScript.parse(reply);
	}

	private static BookingEvent booking(String userId, int quantity) {
		return new BookingEvent(UUID.randomUUID(), EVENT, userId, quantity,
				Instant.ofEpochMilli(System.currentTimeMillis()));
	}

}

package com.bookingmonitor.common;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BookingStreamCodecTests {

	private final BookingEvent booking = new BookingEvent(UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057"), 42,
			"u-42|x", 2, Instant.ofEpochMilli(1_764_000_000_123L));

	@Test
	void encodeThenDecodeReturnsSameBooking() {
		Map<String, String> fields = BookingStreamCodec.encode(this.booking);

		assertThat(fields).containsEntry("eventId", "42").containsEntry("acceptedAt", "1764000000123");
		assertThat(BookingStreamCodec.decode(fields)).isEqualTo(this.booking);
	}

	@Test
	void missingFieldNamed() {
		Map<String, String> fields = new HashMap<>(BookingStreamCodec.encode(this.booking));
		fields.remove("userId");

		assertThatExceptionOfType(InvalidStreamEntryException.class).isThrownBy(() -> BookingStreamCodec.decode(fields))
			.satisfies(ex -> assertThat(ex.field()).isEqualTo("userId"));
	}

	@Test
	void unparsableFieldNamed() {
		Map<String, String> fields = new HashMap<>(BookingStreamCodec.encode(this.booking));
		fields.put("bookingId", "not-a-uuid");

		assertThatExceptionOfType(InvalidStreamEntryException.class).isThrownBy(() -> BookingStreamCodec.decode(fields))
			.satisfies(ex -> assertThat(ex.field()).isEqualTo("bookingId"));
	}

	@Test
	void quantityOutOfRangeNamed() {
		Map<String, String> fields = new HashMap<>(BookingStreamCodec.encode(this.booking));
		fields.put("quantity", "11");

		assertThatExceptionOfType(InvalidStreamEntryException.class).isThrownBy(() -> BookingStreamCodec.decode(fields))
			.satisfies(ex -> assertThat(ex.field()).isEqualTo("quantity"));
	}

	@Test
	void pendingBookingRoundTripKeepsSeparatorInUserId() {
		PendingBooking pending = PendingBooking.of(this.booking);

		assertThat(PendingBooking.decode(pending.encode())).isEqualTo(pending);
		assertThat(pending.userId()).isEqualTo("u-42|x");
	}

}

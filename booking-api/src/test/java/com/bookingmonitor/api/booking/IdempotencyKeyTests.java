package com.bookingmonitor.api.booking;

import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.web.InvalidRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class IdempotencyKeyTests {

	@Test
	void printableAsciiIsAccepted() {
		String all = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

		assertThat(new IdempotencyKey(all).value()).isEqualTo(all);
		assertThat(new IdempotencyKey("k".repeat(128)).value()).hasSize(128);
	}

	@Test
	void invalidKeysAreRejected() {
		for (String key : new String[] { "", "k".repeat(129), "caf\u00e9", "tab\there", "del\u007f" }) {
			assertThatExceptionOfType(InvalidRequestException.class).as(key).isThrownBy(() -> new IdempotencyKey(key));
		}
	}

}

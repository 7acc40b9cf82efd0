package com.bookingmonitor.common;

import java.util.List;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RedisKeysTests {

	private final RedisKeys keys = new RedisKeys("bm", 8);

	@Test
	void keysOfOneEventShareOneSlot() {
		for (long eventId = 1; eventId <= 100; eventId++) {
			List<String> keysOfCall = List.of(this.keys.inventory(eventId), this.keys.streamOfEvent(eventId),
					this.keys.pendingBookingsOfEvent(eventId), this.keys.eventKey(eventId, "users"));
			int slot = SlotHash.getSlot(keysOfCall.get(0));
			for (String key : keysOfCall) {
				assertThat(SlotHash.getSlot(key)).as("slot of %s", key).isEqualTo(slot);
			}
		}
	}

	@Test
	void eventsSpreadOverAllPartitions() {
		assertThat(this.keys.partitionOf(8)).isZero();
		assertThat(this.keys.partitionOf(3)).isEqualTo(3);
		assertThat(this.keys.streams()).hasSize(8).doesNotHaveDuplicates();
	}

	@Test
	void keysCarryPrefixAndPartitionTag() {
		String tag = this.keys.hashTag(3);

		assertThat(tag).startsWith("{bm:p3-").endsWith("}");
		assertThat(this.keys.inventory(11)).isEqualTo(tag + ":event:11:available");
		assertThat(this.keys.stream(3)).isEqualTo(tag + ":bookings");
		assertThat(this.keys.pendingBookings(3)).isEqualTo(tag + ":pending");
	}

	@Test
	void partitionsSpreadEvenlyOverThreeMasters() {
		int[] partitionsPerMaster = new int[3];
		for (int partition = 0; partition < 12; partition++) {
			int slot = SlotHash.getSlot(new RedisKeys("bm", 12).stream(partition));
			partitionsPerMaster[slot * 3 / SlotHash.SLOT_COUNT]++;
		}

		assertThat(partitionsPerMaster).containsExactly(4, 4, 4);
	}

	@Test
	void tagsAreStableAcrossInstances() {
		assertThat(new RedisKeys("bm", 8).streams()).isEqualTo(this.keys.streams());
	}

	@Test
	void invalidPrefixOrPartitionsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("b{m}", 4));
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("", 4));
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("bm", 0));
		assertThatIllegalArgumentException().isThrownBy(() -> this.keys.hashTag(8));
	}

}

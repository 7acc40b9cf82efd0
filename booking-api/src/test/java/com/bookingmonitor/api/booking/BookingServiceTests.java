package com.bookingmonitor.api.booking;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.uuid.Generators;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import com.bookingmonitor.api.booking.BookingScript.Outcome;
import com.bookingmonitor.api.inventory.InventoryGauges;
import com.bookingmonitor.api.inventory.InventoryRebuilder;
import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;
import com.bookingmonitor.common.RedisKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/** Decisions around the script call, with the Redis call replaced and a manual clock. */
class BookingServiceTests {

	private static final Duration SOLD_OUT_TTL = Duration.ofMillis(200);

	private final AtomicLong nanos = new AtomicLong();

	private final BookingScriptExecutor executor = mock(BookingScriptExecutor.class);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final BookingService service = new BookingService(new BookingScript(new RedisKeys("test", 8), 4, 60_000),
			this.executor, new SoldOutEvents(SOLD_OUT_TTL, this.nanos::get), mock(InventoryRebuilder.class),
			mock(InventoryGauges.class), new BookingMetrics(this.registry), Generators.timeBasedEpochGenerator(),
			Clock.systemUTC());

	private final BookingRequest request = new BookingRequest(7L, "u-1", 1);

	@Test
	void soldOutEventSkipsRedis() {
		given(this.executor.execute(any())).willReturn(new BookingScript.Result(Outcome.SOLD_OUT, 0, null));

		assertRejected(ProblemType.SOLD_OUT);
		assertRejected(ProblemType.SOLD_OUT);

		verify(this.executor, times(1)).execute(any());
		assertThat(this.registry.get("booking.requests").tag("outcome", "sold_out").counter().count()).isEqualTo(2);
	}

	@Test
	void soldOutEntryExpires() {
		given(this.executor.execute(any())).willReturn(new BookingScript.Result(Outcome.SOLD_OUT, 0, null));
		assertRejected(ProblemType.SOLD_OUT);

		this.nanos.addAndGet(SOLD_OUT_TTL.toNanos() + 1);
		assertRejected(ProblemType.SOLD_OUT);

		verify(this.executor, times(2)).execute(any());
	}

	@Test
	void lastTicketMarksSoldOut() {
		given(this.executor.execute(any())).willReturn(new BookingScript.Result(Outcome.ACCEPTED, 0, null));
		assertThat(this.service.book(this.request, null)).isInstanceOfSatisfying(BookingService.BookingResult.class,
				(booking) -> assertThat(booking.replayed()).isFalse());

		assertRejected(ProblemType.SOLD_OUT);

		verify(this.executor, times(1)).execute(any());
	}

	@Test
	void idempotencyKeyBypassesSoldOutCache() {
		given(this.executor.execute(any())).willReturn(new BookingScript.Result(Outcome.ACCEPTED, 0, null));
		this.service.book(this.request, null);
		given(this.executor.execute(any()))
			.willReturn(new BookingScript.Result(Outcome.REPLAYED, 0, "0190c6e8-0000-7000-8000-000000000001"));

		BookingService.BookingOutcome replay = this.service.book(this.request, new IdempotencyKey("k-1"));

		assertThat(replay).isInstanceOfSatisfying(BookingService.BookingResult.class, (booking) -> {
			assertThat(booking.replayed()).isTrue();
			assertThat(booking.bookingId()).hasToString("0190c6e8-0000-7000-8000-000000000001");
		});
	}

	@Test
	void timeoutReportsUnknownOutcome() {
		given(this.executor.execute(any()))
			.willThrow(new RedisUnavailableException("Redis command timed out", true, null));

		ApiProblemException problem = assertProblem(this.request, new IdempotencyKey("k-1"),
				ProblemType.OUTCOME_UNKNOWN);

		assertThat(problem.properties()).containsKey("bookingId");
		assertThat(problem.getMessage()).contains("same Idempotency-Key");
		assertThat(this.registry.get("booking.requests").tag("outcome", "unavailable").counter().count()).isEqualTo(1);
	}

	@Test
	void unsentCallReportsUnavailable() {
		given(this.executor.execute(any()))
			.willThrow(new RedisUnavailableException("Redis is not connected", false, null));

		assertProblem(this.request, null, ProblemType.SERVICE_UNAVAILABLE);
	}

	private void assertRejected(ProblemType type) {
		BookingService.BookingOutcome outcome = this.service.book(this.request, null);
		assertThat(outcome).isInstanceOfSatisfying(BookingService.Rejection.class,
				(rejection) -> assertThat(rejection.problem().type()).isEqualTo(type));
	}

	private ApiProblemException assertProblem(BookingRequest request, IdempotencyKey key, ProblemType type) {
		ApiProblemException problem = catchThrowableOfType(ApiProblemException.class,
				() -> this.service.book(request, key));
		assertThat(problem).isNotNull();
		assertThat(problem.type()).isEqualTo(type);
		return problem;
	}

}

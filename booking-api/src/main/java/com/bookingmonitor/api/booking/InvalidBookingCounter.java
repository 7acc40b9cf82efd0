package com.bookingmonitor.api.booking;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import com.bookingmonitor.api.booking.BookingMetrics.Outcome;

import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Counts rejected {@code POST /book} bodies and headers as {@code invalid}. They fail
 * before {@link BookingService} runs, so they are counted from the response status.
 */
class InvalidBookingCounter implements HandlerInterceptor {

	private final BookingMetrics metrics;

	InvalidBookingCounter(BookingMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
			@Nullable Exception ex) {
		int status = response.getStatus();
		if ("POST".equals(request.getMethod()) && (status == 400 || status == 413)) {
			this.metrics.count(Outcome.INVALID);
		}
	}

}

package com.bookingmonitor.api.web;

import com.bookingmonitor.api.BookingApiProperties;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Builds the problem details responses of the API, with the headers their status
 * requires, for the exception handler and for controllers that return a problem.
 */
@Component
public class ProblemResponses {

	private final String retryAfterSeconds;

	ProblemResponses(BookingApiProperties properties) {
		this.retryAfterSeconds = Long.toString(properties.retryAfter().toSeconds());
	}

	/** Returns the response for {@code problem}. */
	public ResponseEntity<Object> respond(ApiProblem problem) {
		ProblemType type = problem.type();
		ProblemDetail body = ProblemDetail.forStatusAndDetail(type.status(), problem.detail());
		body.setType(type.type());
		body.setTitle(type.title());
		problem.properties().forEach(body::setProperty);
		ResponseEntity.BodyBuilder response = ResponseEntity.status(type.status());
		if (type.status().value() == 503) {
			response.header(HttpHeaders.RETRY_AFTER, this.retryAfterSeconds);
		}
		if (type == ProblemType.UNAUTHORIZED) {
			response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
		return response.body(body);
	}

}

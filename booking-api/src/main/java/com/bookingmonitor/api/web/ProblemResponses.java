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
		ProblemDetail body = problem(problem.type(), problem.detail());
		problem.properties().forEach(body::setProperty);
		return respond(body, problem.type());
	}

	static ProblemDetail problem(ProblemType type, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
		problem.setType(type.type());
		problem.setTitle(type.title());
		return problem;
	}

	ResponseEntity<Object> respond(ProblemDetail problem, ProblemType type) {
		ResponseEntity.BodyBuilder response = ResponseEntity.status(type.status());
		if (type.status().value() == 503) {
			response.header(HttpHeaders.RETRY_AFTER, this.retryAfterSeconds);
		}
		if (type == ProblemType.UNAUTHORIZED) {
			response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		}
		return response.body(problem);
	}

}

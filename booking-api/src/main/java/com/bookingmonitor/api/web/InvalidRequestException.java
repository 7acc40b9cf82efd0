package com.bookingmonitor.api.web;

import java.util.List;

/**
 * A request value that fails validation, outside of the request body's bean validation.
 */
public class InvalidRequestException extends ApiProblemException {

	public InvalidRequestException(String field, String message) {
		super(ProblemType.INVALID_REQUEST, field + " " + message);
		with("errors", List.of(new FieldError(field, message)));
	}

	/** One invalid field: a body property, header or path variable. */
	public record FieldError(String field, String message) {

	}

}

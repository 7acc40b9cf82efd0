package com.bookingmonitor.api.web;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import com.bookingmonitor.api.redis.RedisUnavailableException;
import com.bookingmonitor.api.web.InvalidRequestException.FieldError;

import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error into RFC 9457 problem details with a {@link ProblemType}. Expected
 * outcomes are not logged here; unexpected errors are logged once, with the request.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

	private final ProblemResponses responses;

	ApiExceptionHandler(ProblemResponses responses) {
		this.responses = responses;
	}

	@ExceptionHandler(ApiProblemException.class)
	ResponseEntity<Object> handleApiProblem(ApiProblemException ex) {
		return respond(ex.problem());
	}

	@ExceptionHandler(RedisUnavailableException.class)
	ResponseEntity<Object> handleRedisUnavailable(RedisUnavailableException ex) {
		return respond(new ApiProblem(ProblemType.SERVICE_UNAVAILABLE, "Redis is unavailable; retry later"));
	}

	@ExceptionHandler({ DataAccessResourceFailureException.class, TransientDataAccessException.class })
	ResponseEntity<Object> handleDatabaseUnavailable(RuntimeException ex) {
		return respond(new ApiProblem(ProblemType.SERVICE_UNAVAILABLE, "PostgreSQL is unavailable; retry later"));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Object> handleUnexpected(Exception ex, HttpServletRequest request) {
		logger.error("Request failed: method={} path={}", request.getMethod(), request.getRequestURI(), ex);
		return respond(new ApiProblem(ProblemType.INTERNAL_ERROR, "The request failed; the error is logged"));
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldError> errors = ex.getFieldErrors()
			.stream()
			.map((error) -> new FieldError(error.getField(), String.valueOf(error.getDefaultMessage())))
			.toList();
		return invalid(errors);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
			HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldError> errors = ex.getParameterValidationResults()
			.stream()
			.flatMap((result) -> result.getResolvableErrors()
				.stream()
				.map((error) -> new FieldError(String.valueOf(result.getMethodParameter().getParameterName()),
						String.valueOf(error.getDefaultMessage()))))
			.toList();
		return invalid(errors);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
			HttpStatusCode status, WebRequest request) {
		String field = (ex.getPropertyName() != null) ? ex.getPropertyName() : "parameter";
		return invalid(List.of(new FieldError(field, "has an invalid value '" + ex.getValue() + "'")));
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		PayloadTooLargeException tooLarge = findCause(ex, PayloadTooLargeException.class);
		if (tooLarge != null) {
			return respond(new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE,
					"The request body exceeds " + tooLarge.limitBytes() + " bytes"));
		}
		JacksonException json = findCause(ex, JacksonException.class);
		if (json == null) {
			return invalid(List.of(new FieldError("body", "is missing or not readable")));
		}
		if (json instanceof UnrecognizedPropertyException unknown) {
			return invalid(List.of(new FieldError(unknown.getPropertyName(), "is not a known field")));
		}
		String field = fieldPath(json);
		if (field.isEmpty()) {
			return invalid(List.of(new FieldError("body", "is not valid JSON")));
		}
		return invalid(List.of(new FieldError(field, "has a value of the wrong type or out of range")));
	}

	/**
	 * Gives framework errors (405, 406, 415 and the like) the same problem types as the
	 * API's own errors.
	 */
	@Override
	protected ResponseEntity<Object> createResponseEntity(@Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		if (body instanceof ProblemDetail problem && isBlankType(problem)) {
			ProblemType type = ProblemType.forStatus(statusCode.value());
			problem.setType(type.type());
			problem.setTitle(type.title());
		}
		return super.createResponseEntity(body, headers, statusCode, request);
	}

	/** Spring 7 leaves the type null for "about:blank"; earlier versions set it. */
	private static boolean isBlankType(ProblemDetail problem) {
		return problem.getType() == null || "about:blank".equals(problem.getType().toString());
	}

	private ResponseEntity<Object> invalid(List<FieldError> errors) {
		StringBuilder detail = new StringBuilder("Invalid request:");
		for (FieldError error : errors) {
			detail.append(' ').append(error.field()).append(' ').append(error.message()).append(';');
		}
		detail.setLength(detail.length() - 1);
		return respond(new ApiProblem(ProblemType.INVALID_REQUEST, detail.toString()).with("errors", errors));
	}

	private ResponseEntity<Object> respond(ApiProblem problem) {
		return this.responses.respond(problem);
	}

	private static String fieldPath(JacksonException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				if (!path.isEmpty()) {
					path.append('.');
				}
				path.append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return path.toString();
	}

	private static <T extends Throwable> @Nullable T findCause(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}

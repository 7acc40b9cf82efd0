package com.bookingmonitor.api.web;

import java.util.Map;

/**
 * An error that becomes a problem details response of the given type. Extra properties
 * appear as members of the problem object. It records no stack trace: it stands for an
 * expected outcome or carries its cause, and a sold-out stampede throws thousands a
 * second.
 */
public class ApiProblemException extends RuntimeException {

	private final ApiProblem problem;

	public ApiProblemException(ProblemType type, String detail) {
		this(type, detail, null);
	}

	public ApiProblemException(ProblemType type, String detail, Throwable cause) {
		super(detail, cause, false, false);
		this.problem = new ApiProblem(type, detail);
	}

	/** Adds a member to the problem object and returns this exception. */
	public ApiProblemException with(String name, Object value) {
		this.problem.with(name, value);
		return this;
	}

	public ApiProblem problem() {
		return this.problem;
	}

	public ProblemType type() {
		return this.problem.type();
	}

	public Map<String, Object> properties() {
		return this.problem.properties();
	}

}

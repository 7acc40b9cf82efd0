package com.bookingmonitor.api.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem details response of the given type, as a value: an expected outcome such as
 * sold out that a controller returns instead of throwing. Throwing costs Spring MVC's
 * exception resolution per request, which a sold-out stampede repeats thousands of times
 * a second. Extra properties appear as members of the problem object.
 */
public final class ApiProblem {

	private final ProblemType type;

	private final String detail;

	private final Map<String, Object> properties = new LinkedHashMap<>();

	public ApiProblem(ProblemType type, String detail) {
		this.type = type;
		this.detail = detail;
	}

	/** Adds a member to the problem object and returns this problem. */
	public ApiProblem with(String name, Object value) {
		this.properties.put(name, value);
		return this;
	}

	public ProblemType type() {
		return this.type;
	}

	public String detail() {
		return this.detail;
	}

	public Map<String, Object> properties() {
		return this.properties;
	}

}

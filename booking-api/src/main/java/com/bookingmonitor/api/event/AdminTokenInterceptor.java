package com.bookingmonitor.api.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.bookingmonitor.api.web.ApiProblemException;
import com.bookingmonitor.api.web.ProblemType;

import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Requires {@code Authorization: Bearer <booking.api.admin-token>} on
 * {@code POST /events}: 401 without the header, 403 with a wrong token.
 */
class AdminTokenInterceptor implements HandlerInterceptor {

	private static final String BEARER = "Bearer ";

	private final byte[] token;

	AdminTokenInterceptor(String token) {
		this.token = token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
		if (!"POST".equals(request.getMethod())) {
			return true;
		}
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			throw new ApiProblemException(ProblemType.UNAUTHORIZED,
					"Creating events requires the header 'Authorization: Bearer <admin token>'");
		}
		byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
		// Constant time, so response times do not reveal how much of the token matched.
		if (!MessageDigest.isEqual(presented, this.token)) {
			throw new ApiProblemException(ProblemType.FORBIDDEN, "The admin token is wrong");
		}
		return true;
	}

}

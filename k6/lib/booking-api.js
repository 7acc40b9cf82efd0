// Calls of the booking API that the load scripts share, and the wait for PostgreSQL to
// confirm what Redis accepted.
import http from 'k6/http';
import { sleep } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

const ADMIN_TOKEN = __ENV.BOOKING_ADMIN_TOKEN || '';

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

// 409 (sold out, limit reached) is an expected response under load, not a failed request.
http.setResponseCallback(http.expectedStatuses(200, 201, 202, 409));

/** Creates an event and returns its id; throws when the API rejects the request. */
export function createEvent(name, capacity) {
	const headers = Object.assign({}, JSON_HEADERS);
	if (ADMIN_TOKEN) {
		headers.Authorization = `Bearer ${ADMIN_TOKEN}`;
	}
	const response = http.post(`${BASE_URL}/events`, JSON.stringify({ name, capacity }), {
		headers,
		tags: { name: 'POST /events' },
	});
	if (response.status !== 201) {
		const hint = response.status === 401 || response.status === 403
			? ' (set BOOKING_ADMIN_TOKEN to the token booking-api expects)'
			: '';
		throw new Error(`POST /events failed with HTTP ${response.status}: ${response.body}${hint}`);
	}
	return response.json('id');
}

/** Sends POST /book; extraHeaders may carry an Idempotency-Key. */
export function book(eventId, userId, quantity, extraHeaders) {
	const headers = Object.assign({}, JSON_HEADERS, extraHeaders || {});
	return http.post(`${BASE_URL}/book`, JSON.stringify({ eventId, userId, quantity }), {
		headers,
		tags: { name: 'POST /book' },
	});
}

/** Returns {id, name, capacity, available, confirmed} of an event; throws unless HTTP 200. */
export function getEvent(eventId) {
	const response = http.get(`${BASE_URL}/events/${eventId}`, {
		headers: { Accept: 'application/json' },
		tags: { name: 'GET /events/{id}' },
	});
	if (response.status !== 200) {
		throw new Error(`GET /events/${eventId} failed with HTTP ${response.status}: ${response.body}`);
	}
	return response.json();
}

/**
 * Polls GET /events/{id} until PostgreSQL has confirmed every ticket Redis accepted
 * (confirmed = capacity - available), or until timeoutSeconds pass. Returns the last event
 * read; the caller checks whether it settled.
 */
export function waitUntilConfirmed(eventId, timeoutSeconds) {
	const deadline = Date.now() + timeoutSeconds * 1000;
	let event = getEvent(eventId);
	while (event.confirmed < event.capacity - event.available && Date.now() < deadline) {
		sleep(0.5);
		event = getEvent(eventId);
	}
	return event;
}

/** Reads a positive whole number from the environment, or returns the default. */
export function positiveIntegerFromEnv(name, defaultValue) {
	const text = __ENV[name];
	if (text === undefined || text === '') {
		return defaultValue;
	}
	const value = Number(text);
	if (!Number.isInteger(value) || value < 1) {
		throw new Error(`${name} must be a positive whole number, got '${text}'`);
	}
	return value;
}

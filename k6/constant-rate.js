// Constant arrival rate: POST /book at a fixed rate (default 10,000 requests/s) for a fixed
// time, spread over several events with enough tickets that none sells out. Passes when the
// API keeps the rate, returns 202 within the 20 ms p99 target, and PostgreSQL confirms every
// accepted ticket afterwards.
//
//   k6 run -e RATE=10000 -e DURATION_SECONDS=60 k6/constant-rate.js
import { check } from 'k6';
import exec from 'k6/execution';

import { book, createEvent, positiveIntegerFromEnv, waitUntilConfirmed } from './lib/booking-api.js';

const RATE = positiveIntegerFromEnv('RATE', 10000);
const DURATION_SECONDS = positiveIntegerFromEnv('DURATION_SECONDS', 60);
// At least the partition count (8 by default), so every booking stream gets traffic.
const EVENTS = positiveIntegerFromEnv('EVENTS', 8);
const CONFIRM_TIMEOUT_SECONDS = positiveIntegerFromEnv('CONFIRM_TIMEOUT_SECONDS', 120);

export const options = {
	scenarios: {
		bookings: {
			executor: 'constant-arrival-rate',
			rate: RATE,
			timeUnit: '1s',
			duration: `${DURATION_SECONDS}s`,
			// A VU waits for its response, so VUs needed = rate x latency; 20 ms at 10,000/s is
			// 200, and the rest covers latency spikes.
			preAllocatedVUs: positiveIntegerFromEnv('PRE_ALLOCATED_VUS', 400),
			maxVUs: positiveIntegerFromEnv('MAX_VUS', 2000),
		},
	},
	thresholds: {
		'http_req_duration{name:POST /book}': ['p(99)<20'],
		http_req_failed: ['rate<0.001'],
		checks: ['rate>0.999'],
		// Iterations k6 could not start on time because every VU was busy: the API fell behind.
		dropped_iterations: [`rate<${RATE * 0.01}`],
	},
};

export function setup() {
	// Twice the tickets the run can book, so no event sells out even if the rate overshoots.
	const capacity = Math.ceil((2 * RATE * DURATION_SECONDS) / EVENTS);
	const eventIds = [];
	for (let i = 0; i < EVENTS; i++) {
		eventIds.push(createEvent(`k6 constant rate ${i} ${new Date().toISOString()}`, capacity));
	}
	return { eventIds };
}

export default function (data) {
	const iteration = exec.scenario.iterationInTest;
	const eventId = data.eventIds[iteration % data.eventIds.length];
	const response = book(eventId, `rate-user-${iteration}`, 1);

	check(response, { 'booking accepted (202)': (r) => r.status === 202 });
}

export function teardown(data) {
	// One deadline for all events, so the wait stays bounded however many events there are.
	const deadline = Date.now() + CONFIRM_TIMEOUT_SECONDS * 1000;
	for (const eventId of data.eventIds) {
		const event = waitUntilConfirmed(eventId, Math.max(0, (deadline - Date.now()) / 1000));
		const accepted = event.capacity - event.available;

		const confirmed = check(event, { 'confirmed = accepted': (e) => e.confirmed === accepted });
		if (!confirmed) {
			exec.test.fail(`event ${eventId}: ${accepted} tickets accepted but ${event.confirmed} confirmed`
				+ ` after waiting up to ${CONFIRM_TIMEOUT_SECONDS} s`);
		}
	}
}

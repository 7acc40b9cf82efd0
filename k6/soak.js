// Soak: a moderate steady booking rate for a long time (default 1,000 requests/s for 30
// minutes), to find what only shows over time: heap growth, streams that are never trimmed,
// a consumer that slowly falls behind. A second scenario reads the events every few seconds
// and records how many accepted tickets are not yet confirmed.
//
//   k6 run -e RATE=1000 -e DURATION_SECONDS=1800 k6/soak.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Trend } from 'k6/metrics';

import { book, createEvent, getEvent, positiveIntegerFromEnv, waitUntilConfirmed } from './lib/booking-api.js';

const RATE = positiveIntegerFromEnv('RATE', 1000);
const DURATION_SECONDS = positiveIntegerFromEnv('DURATION_SECONDS', 1800);
const EVENTS = positiveIntegerFromEnv('EVENTS', 8);
const CONFIRM_TIMEOUT_SECONDS = positiveIntegerFromEnv('CONFIRM_TIMEOUT_SECONDS', 120);
// Accepted tickets still waiting for PostgreSQL, in seconds of intake: 5 s of backlog means
// the consumer has fallen behind, not that a batch is in flight.
const MAX_BACKLOG_SECONDS = positiveIntegerFromEnv('MAX_BACKLOG_SECONDS', 5);

const unconfirmedTickets = new Trend('unconfirmed_tickets');

export const options = {
	scenarios: {
		bookings: {
			executor: 'constant-arrival-rate',
			exec: 'bookTicket',
			rate: RATE,
			timeUnit: '1s',
			duration: `${DURATION_SECONDS}s`,
			preAllocatedVUs: positiveIntegerFromEnv('PRE_ALLOCATED_VUS', 100),
			maxVUs: positiveIntegerFromEnv('MAX_VUS', 1000),
		},
		backlog: {
			executor: 'constant-arrival-rate',
			exec: 'readBacklog',
			rate: 1,
			timeUnit: '5s',
			duration: `${DURATION_SECONDS}s`,
			preAllocatedVUs: 2,
		},
	},
	thresholds: {
		'http_req_duration{name:POST /book}': ['p(99)<20'],
		http_req_failed: ['rate<0.001'],
		checks: ['rate>0.999'],
		dropped_iterations: [`rate<${RATE * 0.01}`],
		unconfirmed_tickets: [`max<${RATE * MAX_BACKLOG_SECONDS}`],
	},
};

export function setup() {
	const capacity = Math.ceil((2 * RATE * DURATION_SECONDS) / EVENTS);
	const eventIds = [];
	for (let i = 0; i < EVENTS; i++) {
		eventIds.push(createEvent(`k6 soak ${i} ${new Date().toISOString()}`, capacity));
	}
	return { eventIds };
}

export function bookTicket(data) {
	const iteration = exec.scenario.iterationInTest;
	const eventId = data.eventIds[iteration % data.eventIds.length];
	const response = book(eventId, `soak-user-${iteration}`, 1);

	check(response, { 'booking accepted (202)': (r) => r.status === 202 });
}

export function readBacklog(data) {
	let unconfirmed = 0;
	for (const eventId of data.eventIds) {
		const event = getEvent(eventId);
		unconfirmed += event.capacity - event.available - event.confirmed;
	}
	unconfirmedTickets.add(unconfirmed);
}

export function teardown(data) {
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

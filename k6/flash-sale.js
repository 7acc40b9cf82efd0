// Flash sale: many users race for few tickets of one event. Every user books once. Passes
// when exactly `capacity` tickets were accepted, the rest got 409, and PostgreSQL
// confirmed every accepted ticket.
//
//   k6 run -e CAPACITY=100 -e USERS=10000 k6/flash-sale.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';

import { book, createEvent, positiveIntegerFromEnv, waitUntilConfirmed } from './lib/booking-api.js';

const CAPACITY = positiveIntegerFromEnv('CAPACITY', 100);
const USERS = positiveIntegerFromEnv('USERS', 10000);
const VUS = positiveIntegerFromEnv('VUS', 200);
const CONFIRM_TIMEOUT_SECONDS = positiveIntegerFromEnv('CONFIRM_TIMEOUT_SECONDS', 60);

const ticketsAccepted = new Counter('tickets_accepted');
const bookingsSoldOut = new Counter('bookings_sold_out');

export const options = {
	scenarios: {
		flash_sale: {
			executor: 'shared-iterations',
			vus: VUS,
			iterations: USERS,
			maxDuration: '2m',
		},
	},
	thresholds: {
		// Neither oversold nor undersold.
		tickets_accepted: [`count==${CAPACITY}`],
		bookings_sold_out: [`count==${USERS - CAPACITY}`],
		'http_req_duration{name:POST /book}': ['p(99)<20'],
		http_req_failed: ['rate==0'],
		checks: ['rate==1'],
	},
};

export function setup() {
	if (USERS <= CAPACITY) {
		throw new Error(`USERS (${USERS}) must exceed CAPACITY (${CAPACITY}) for the event to sell out`);
	}
	return { eventId: createEvent(`k6 flash sale ${new Date().toISOString()}`, CAPACITY) };
}

export default function (data) {
	const userId = `flash-user-${exec.scenario.iterationInTest}`;
	const response = book(data.eventId, userId, 1);

	check(response, { 'booking accepted (202) or sold out (409)': (r) => r.status === 202 || r.status === 409 });
	if (response.status === 202) {
		ticketsAccepted.add(1);
	}
	else if (response.status === 409) {
		bookingsSoldOut.add(1);
	}
}

export function teardown(data) {
	const event = waitUntilConfirmed(data.eventId, CONFIRM_TIMEOUT_SECONDS);
	const accepted = event.capacity - event.available;

	const settled = check(event, {
		'event sold out (available = 0)': (e) => e.available === 0,
		'accepted = capacity': () => accepted === CAPACITY,
		'confirmed = capacity': (e) => e.confirmed === CAPACITY,
	});
	if (!settled) {
		exec.test.fail(`event ${data.eventId}: capacity ${event.capacity}, available ${event.available},`
			+ ` confirmed ${event.confirmed} after waiting up to ${CONFIRM_TIMEOUT_SECONDS} s`);
	}
}

// Idempotent retries: every booking is sent with an Idempotency-Key and then sent again
// REPLAYS times with the same key, as a client would after a timeout. Passes when every replay
// returns the first booking's bookingId with "Idempotent-Replayed: true", and the event lost
// exactly one booking's tickets per key, all confirmed in PostgreSQL.
//
//   k6 run -e BOOKINGS=2000 -e REPLAYS=2 k6/idempotent-retry.js
import { check } from 'k6';
import exec from 'k6/execution';
import { Counter } from 'k6/metrics';

import { book, createEvent, positiveIntegerFromEnv, waitUntilConfirmed } from './lib/booking-api.js';

const BOOKINGS = positiveIntegerFromEnv('BOOKINGS', 2000);
const REPLAYS = positiveIntegerFromEnv('REPLAYS', 2);
const VUS = positiveIntegerFromEnv('VUS', 50);
const QUANTITY = 2;
const CONFIRM_TIMEOUT_SECONDS = positiveIntegerFromEnv('CONFIRM_TIMEOUT_SECONDS', 60);

const replaysMatched = new Counter('replays_matched');

export const options = {
	scenarios: {
		retries: {
			executor: 'shared-iterations',
			vus: VUS,
			iterations: BOOKINGS,
			maxDuration: '5m',
		},
	},
	thresholds: {
		replays_matched: [`count==${BOOKINGS * REPLAYS}`],
		'http_req_duration{name:POST /book}': ['p(99)<20'],
		http_req_failed: ['rate==0'],
		checks: ['rate==1'],
	},
};

export function setup() {
	// Twice what the keys can book, so the event never sells out and a replay that wrongly
	// booked again would show in the inventory.
	const capacity = 2 * BOOKINGS * QUANTITY;
	const runId = Date.now().toString(36);
	return { eventId: createEvent(`k6 idempotent retry ${runId}`, capacity), runId };
}

export default function (data) {
	const iteration = exec.scenario.iterationInTest;
	const userId = `retry-user-${iteration}`;
	const headers = { 'Idempotency-Key': `k6-${data.runId}-${iteration}` };

	const first = book(data.eventId, userId, QUANTITY, headers);
	const firstAccepted = check(first, {
		'first request accepted (202)': (r) => r.status === 202,
		'first request has a bookingId': (r) => r.status === 202 && Boolean(r.json('bookingId')),
		'first request is not a replay': (r) => r.headers['Idempotent-Replayed'] !== 'true',
	});
	if (!firstAccepted) {
		return;
	}
	const bookingId = first.json('bookingId');

	for (let replay = 0; replay < REPLAYS; replay++) {
		const again = book(data.eventId, userId, QUANTITY, headers);
		const matched = check(again, {
			'replay returns 202': (r) => r.status === 202,
			'replay returns the same bookingId': (r) => r.status === 202 && r.json('bookingId') === bookingId,
			'replay has Idempotent-Replayed: true': (r) => r.headers['Idempotent-Replayed'] === 'true',
		});
		if (matched) {
			replaysMatched.add(1);
		}
	}
}

export function teardown(data) {
	const event = waitUntilConfirmed(data.eventId, CONFIRM_TIMEOUT_SECONDS);
	const accepted = event.capacity - event.available;
	const expected = BOOKINGS * QUANTITY;

	const settled = check(event, {
		'tickets taken once per key': () => accepted === expected,
		'confirmed = tickets taken': (e) => e.confirmed === expected,
	});
	if (!settled) {
		exec.test.fail(`event ${data.eventId}: expected ${expected} tickets taken and confirmed,`
			+ ` got ${accepted} taken and ${event.confirmed} confirmed`);
	}
}

/**
 * The design Redis replaced, kept to measure against: {@code POST /baseline/book} books
 * synchronously in PostgreSQL, and {@code POST /baseline/noop} is the no-op ceiling of
 * the HTTP layer. Active only with the Spring profile {@code baseline}, which the
 * benchmark sets and no production configuration does.
 */
package com.bookingmonitor.api.baseline;

-- Events and the bookings persisted from the Redis streams.

CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    capacity   INTEGER      NOT NULL CHECK (capacity > 0),
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- The booking id is the idempotency key of the consumer: a redelivered stream entry hits the
-- primary key and is skipped by INSERT ... ON CONFLICT (id) DO NOTHING.
CREATE TABLE bookings (
    id           UUID         PRIMARY KEY,
    event_id     BIGINT       NOT NULL REFERENCES events (id),
    user_id      VARCHAR(64)  NOT NULL,
    quantity     INTEGER      NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    status       VARCHAR(16)  NOT NULL DEFAULT 'CONFIRMED',
    accepted_at  TIMESTAMPTZ  NOT NULL,
    persisted_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);

CREATE INDEX bookings_event_id_idx ON bookings (event_id);

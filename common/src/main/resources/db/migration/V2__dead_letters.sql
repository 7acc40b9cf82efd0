-- Stream entries the order consumer could not persist as bookings: entries that do not decode, and
-- entries that still failed to insert after the maximum number of deliveries. The primary key makes
-- a redelivered dead letter harmless: it only moves last_seen_at and keeps the latest error.
CREATE TABLE dead_letters (
    stream_key     VARCHAR(200) NOT NULL,
    entry_id       VARCHAR(41)  NOT NULL,
    booking_id     UUID,
    fields         JSONB        NOT NULL,
    error          TEXT         NOT NULL,
    delivery_count INTEGER      NOT NULL,
    first_seen_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_seen_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_key, entry_id)
);

CREATE INDEX dead_letters_booking_id_idx ON dead_letters (booking_id);

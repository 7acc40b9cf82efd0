-- Accepts or rejects one booking atomically. Every key is in the event's hash slot.
--
-- KEYS[1] inventory: tickets the event still sells
-- KEYS[2] user tickets: hash of user id to tickets the user booked for the event
-- KEYS[3] the partition's booking stream
-- KEYS[4] the partition's pending-bookings hash
-- KEYS[5] optional idempotency key
-- ARGV[1] booking id, ARGV[2] event id, ARGV[3] user id, ARGV[4] quantity,
-- ARGV[5] accepted at (epoch milliseconds), ARGV[6] pending-bookings hash value,
-- ARGV[7] max tickets per user, ARGV[8] request hash, ARGV[9] idempotency TTL (ms)
--
-- Returns {outcome, value}; a rejected booking writes nothing.

local idempotency_key = KEYS[5]
if idempotency_key then
  local claimed = redis.call('GET', idempotency_key)
  if claimed then
    local separator = string.find(claimed, '|', 1, true)
    local booking_id = string.sub(claimed, 1, separator - 1)
    if string.sub(claimed, separator + 1) == ARGV[8] then
      return {'REPLAYED', booking_id}
    end
    return {'IDEMPOTENCY_CONFLICT', booking_id}
  end
end

-- GET rather than DECRBY first: DECRBY would create a missing key at minus the quantity.
local available = redis.call('GET', KEYS[1])
if not available then
  return {'MISSING_INVENTORY', 0}
end
available = tonumber(available)
local quantity = tonumber(ARGV[4])
if available < quantity then
  return {'SOLD_OUT', available}
end

local booked = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
if booked + quantity > tonumber(ARGV[7]) then
  return {'LIMIT_REACHED', booked}
end

local remaining = redis.call('DECRBY', KEYS[1], quantity)
redis.call('HINCRBY', KEYS[2], ARGV[3], quantity)
-- Field names and order as BookingStreamCodec; never MAXLEN, which drops unread entries.
redis.call('XADD', KEYS[3], '*',
  'bookingId', ARGV[1], 'eventId', ARGV[2], 'userId', ARGV[3],
  'quantity', ARGV[4], 'acceptedAt', ARGV[5])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[6])
if idempotency_key then
  redis.call('SET', idempotency_key, ARGV[1] .. '|' .. ARGV[8], 'PX', ARGV[9])
end
return {'ACCEPTED', remaining}

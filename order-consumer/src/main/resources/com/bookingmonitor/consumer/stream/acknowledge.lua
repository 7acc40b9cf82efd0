-- Acknowledges a handled batch of one partition in one atomic call: XACK of the entries, HDEL of
-- their pending bookings, and the tickets of dead-lettered bookings returned to their inventory.
--
-- KEYS[1]     the partition stream
-- KEYS[2]     the partition's pending-bookings hash
-- KEYS[3..]   one inventory key per ticket return
-- ARGV[1]     the consumer group
-- ARGV[2]     n, then n stream entry ids to acknowledge
-- next        m, then m booking ids to remove from the pending-bookings hash
-- next        for each inventory key KEYS[2 + i]: booking id, quantity
--
-- A ticket return happens only when this call removes the booking's pending field, so a
-- redelivered dead letter never returns its tickets twice. It also needs the inventory key to
-- exist, so a missing key is not recreated with a wrong count.
-- Returns {entries acknowledged, pending fields removed, tickets returned}.

local stream, pending = KEYS[1], KEYS[2]
local at = 2

local entryCount = tonumber(ARGV[at])
local acknowledged = 0
if entryCount > 0 then
    acknowledged = redis.call('XACK', stream, ARGV[1], unpack(ARGV, at + 1, at + entryCount))
end
at = at + entryCount + 1

local bookingCount = tonumber(ARGV[at])
local removed = 0
if bookingCount > 0 then
    removed = redis.call('HDEL', pending, unpack(ARGV, at + 1, at + bookingCount))
end
at = at + bookingCount + 1

local returned = 0
for i = 3, #KEYS do
    local bookingId, quantity = ARGV[at], ARGV[at + 1]
    at = at + 2
    if redis.call('HDEL', pending, bookingId) == 1 then
        removed = removed + 1
        if redis.call('EXISTS', KEYS[i]) == 1 then
            redis.call('INCRBY', KEYS[i], quantity)
            returned = returned + tonumber(quantity)
        end
    end
end

return {acknowledged, removed, returned}

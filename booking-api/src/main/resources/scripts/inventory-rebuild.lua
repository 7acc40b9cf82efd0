-- Installs a rebuilt inventory, unless another writer got there first.
--
-- KEYS[1] inventory, KEYS[2] user tickets hash, KEYS[3] staged user tickets hash
-- (absent when no user has booked), KEYS[4] rebuild lock
-- ARGV[1] lock token, ARGV[2] rebuilt available tickets
--
-- Returns REBUILT, PRESENT (the inventory key exists, nothing changed) or LOCK_LOST
-- (the lock expired and may belong to another instance, nothing changed).

if redis.call('GET', KEYS[4]) ~= ARGV[1] then
  redis.call('DEL', KEYS[3])
  return 'LOCK_LOST'
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[3], KEYS[4])
  return 'PRESENT'
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('RENAME', KEYS[3], KEYS[2])
  -- The staged hash expires in case its writer dies; the installed one must not.
  redis.call('PERSIST', KEYS[2])
else
  redis.call('DEL', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[2], 'NX')
redis.call('DEL', KEYS[4])
return 'REBUILT'

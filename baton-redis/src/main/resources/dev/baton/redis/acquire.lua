-- Enqueues one request and grants what the rule admits: one round trip for an uncontended grant.
-- ARGV[2] id, [3] client id, [4] lease TTL ms, [5] request seq, [6] the rest of the request,
-- "<kind> <permits> <limit> <try-once 1/0> <liveness ms>": one argument, since the fast path
-- (acquire_fast.lua) reads none of them and the server parses every argument of every call.
-- Reply: {1, token} granted; {2, hint ms} waiting; {0} not granted (try-once, nothing left);
-- {-1, limit} semaphore size mismatch (nothing created).
local id = ARGV[2]
local kind, permits, limit, once, liveness =
  string.match(ARGV[6], '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
clock()

-- The fast path (FREE -> HELD) ran before the prelude (acquire_fast.lua) and did not apply.
purge()
if FAMILY == 'SEMAPHORE' then
  local size = redis.call('HGET', E, 'limit')
  local live = redis.call('EXISTS', H) == 1 or redis.call('EXISTS', Q) == 1
  if size and live and size ~= limit then
    finish(nil)
    return { -1, tonumber(size) }
  end
  redis.call('HSET', E, 'limit', limit)
end
redis.call('HSET', E, id .. ':c', ARGV[3], id .. ':k', kind, id .. ':p', permits, id .. ':t', '0',
  id .. ':s', n2s(now), id .. ':l', ARGV[4], id .. ':q', ARGV[5], id .. ':h', n2s(now))
redis.call('RPUSH', Q, id)
-- Kept alive for at least the lease TTL, so that a grant's expiry never exceeds the deadline of
-- the waiter it was (see finish).
local deadline = now + math.max(tonumber(liveness), tonumber(ARGV[4]))
redis.call('ZADD', W, n2s(deadline), id)
local tok = saturate(id)
if tok then
  changed = true
  finish(deadline)
  return { 1, tok }
end
if once == '1' then
  -- The queue was saturated, so appending affected only this entry: undo it.
  redis.call('LREM', Q, 0, id)
  redis.call('ZREM', W, id)
  drop(id)
  finish(nil)
  return { 0 }
end
changed = true
finish(deadline)
return { 2, hint() }

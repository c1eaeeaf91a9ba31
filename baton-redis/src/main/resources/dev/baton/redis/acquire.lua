-- Enqueues one request and grants what the rule admits: one round trip for an uncontended grant.
-- ARGV[4] id, [5] client id, [6] kind, [7] permits, [8] limit, [9] try-once (1/0),
-- [10] lease TTL ms, [11] liveness ms, [12] request seq.
-- Reply: {1, token} granted; {2, hint ms} waiting; {0} not granted (try-once, nothing left);
-- {-1, limit} semaphore size mismatch (nothing created).
local id = ARGV[4]
clock()

-- The fast path (FREE -> HELD) ran before the prelude (acquire_fast.lua) and did not apply.
purge()
if FAMILY == 'SEMAPHORE' then
  local limit = redis.call('HGET', E, 'limit')
  local live = redis.call('EXISTS', H) == 1 or redis.call('EXISTS', Q) == 1
  if limit and live and limit ~= ARGV[8] then
    finish(nil)
    return { -1, tonumber(limit) }
  end
  redis.call('HSET', E, 'limit', ARGV[8])
end
redis.call('HSET', E, id .. ':c', ARGV[5], id .. ':k', ARGV[6], id .. ':p', ARGV[7], id .. ':t', '0',
  id .. ':s', n2s(now), id .. ':l', ARGV[10], id .. ':q', ARGV[12], id .. ':h', n2s(now))
redis.call('RPUSH', Q, id)
-- Kept alive for at least the lease TTL, so that a grant's expiry never exceeds the deadline of
-- the waiter it was (see finish).
local deadline = now + math.max(tonumber(ARGV[11]), tonumber(ARGV[10]))
redis.call('ZADD', W, n2s(deadline), id)
local tok = saturate(id)
if tok then
  changed = true
  finish(deadline)
  return { 1, tok }
end
if ARGV[9] == '1' then
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

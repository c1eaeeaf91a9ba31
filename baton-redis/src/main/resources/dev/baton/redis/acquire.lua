-- Enqueues one request and grants what the rule admits: one round trip for an uncontended grant.
-- ARGV[4] id, [5] client id, [6] kind, [7] permits, [8] limit, [9] try-once (1/0),
-- [10] lease TTL ms, [11] liveness ms, [12] request seq.
-- Reply: {1, token} granted; {2, hint ms} waiting; {0} not granted (try-once, nothing left);
-- {-1, limit} semaphore size mismatch (nothing created).
purge()
local id = ARGV[4]
if FAMILY == 'SEMAPHORE' then
  local limit = redis.call('HGET', M, 'limit')
  local live = redis.call('EXISTS', H) == 1 or redis.call('EXISTS', Q) == 1
  if limit and live and limit ~= ARGV[8] then
    finish()
    return { -1, tonumber(limit) }
  end
  redis.call('HSET', M, 'limit', ARGV[8])
end
redis.call('HSET', E, id .. ':c', ARGV[5], id .. ':k', ARGV[6], id .. ':p', ARGV[7], id .. ':t', '0',
  id .. ':s', n2s(now), id .. ':l', ARGV[10], id .. ':q', ARGV[12], id .. ':h', n2s(now))
redis.call('RPUSH', Q, id)
redis.call('ZADD', W, n2s(now + tonumber(ARGV[11])), id)
saturate(id)
if redis.call('ZSCORE', H, id) then
  local tok = tonumber(redis.call('HGET', E, id .. ':t'))
  changed = true
  finish()
  return { 1, tok }
end
if ARGV[9] == '1' then
  -- The queue was saturated, so appending affected only this entry: undo it.
  redis.call('LREM', Q, 0, id)
  redis.call('ZREM', W, id)
  drop(id)
  finish()
  return { 0 }
end
changed = true
finish()
return { 2, hint() }

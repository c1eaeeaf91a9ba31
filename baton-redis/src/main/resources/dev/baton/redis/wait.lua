-- A waiter's periodic liveness refresh, which doubles as the re-check against a lost message.
-- ARGV[2] id, [3] liveness ms, [4] request seq.
-- Reply: {1, token, seq of the request the expiry counts from} held; {2, hint ms} waiting;
-- {3} waiting in the monitor condition of KEYS[6..8] (a monitor waiter not yet moved to the entry
-- queue: its record there is refreshed instead); {0} gone (dropped after its liveness deadline, or
-- withdrawn).
local id = ARGV[2]
clock()
if COND then
  cond_purge()
  local l = nil
  if redis.call('ZSCORE', CW, id) then
    l = tonumber(redis.call('HGET', CE, id .. ':l'))
    if not l then
      cond_remove(id) -- a record the keys' expiry left incomplete
    end
  end
  if l then
    local d = now + math.max(tonumber(ARGV[3]), l)
    redis.call('ZADD', CW, n2s(d), id)
    redis.call('HSET', CE, id .. ':q', ARGV[4], id .. ':h', n2s(now))
    cond_finish(d)
    return { 3 }
  end
  cond_finish(nil)
end
purge()
local deadline = nil
if redis.call('ZSCORE', W, id) then
  -- At least the lease TTL, as in acquire.lua.
  local l = tonumber(redis.call('HGET', E, id .. ':l'))
  deadline = now + math.max(tonumber(ARGV[3]), l)
  redis.call('ZADD', W, n2s(deadline), id)
  redis.call('HSET', E, id .. ':q', ARGV[4], id .. ':h', n2s(now))
end
saturate(id)
local status = held_status(id)
if not status then
  status = { 0 }
  if redis.call('ZSCORE', W, id) then
    status = { 2, hint() }
  end
end
finish(deadline)
return status

-- Monitor wait, one atomic step: the holder gives the monitor up (handed on as release.lua does)
-- and a waiter joins the condition's wait queue (KEYS[6..8]), so no signal can fall between.
-- The waiter's id is the id its entry will have once moved to the entry queue: its client expects
-- that entry's grant, by the usual handoff message.
-- ARGV[2] holder id ('' for none: the two-step control only queues), [3] waiter id, [4] client
-- id, [5] lease TTL ms, [6] liveness ms, [7] request seq.
-- Reply: 1 queued; 0 the holder is not the monitor's current holder (nothing changed but the
-- purge of dead entries).
local holder, id = ARGV[2], ARGV[3]
clock()
purge()
if holder ~= '' then
  if not unhold(holder) then
    finish(nil)
    return 0
  end
  saturate(nil)
end
cond_purge()
-- At least the lease TTL, as in acquire.lua: the deadline moves with the waiter to W.
local deadline = now + math.max(tonumber(ARGV[6]), tonumber(ARGV[5]))
redis.call('HSET', CE, id .. ':c', ARGV[4], id .. ':l', ARGV[5], id .. ':q', ARGV[7],
  id .. ':h', n2s(now))
redis.call('RPUSH', CQ, id)
redis.call('ZADD', CW, n2s(deadline), id)
cond_finish(deadline)
finish(nil)
return 1

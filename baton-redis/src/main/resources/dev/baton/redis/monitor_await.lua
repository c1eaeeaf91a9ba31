-- Monitor wait, one atomic step: the holder gives the monitor up (handed on as release.lua does)
-- and a waiter joins the condition's wait queue (KEYS[6..8]), so no signal can fall between.
-- The waiter's id is the id its entry will have once moved to the entry queue: its client expects
-- that entry's grant, by the usual handoff message.
-- ARGV[4] holder id ('' for none: the two-step control only queues), [5] waiter id, [6] client
-- id, [7] lease TTL ms, [8] liveness ms, [9] request seq.
-- Reply: 1 queued; 0 the holder is not the monitor's current holder (nothing changed but the
-- purge of dead entries).
local holder, id = ARGV[4], ARGV[5]
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
local deadline = now + math.max(tonumber(ARGV[8]), tonumber(ARGV[7]))
redis.call('HSET', CE, id .. ':c', ARGV[6], id .. ':l', ARGV[7], id .. ':q', ARGV[9],
  id .. ':h', n2s(now))
redis.call('RPUSH', CQ, id)
redis.call('ZADD', CW, n2s(deadline), id)
cond_finish(deadline)
finish(nil)
return 1

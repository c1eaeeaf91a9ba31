-- Removes one entry by its id (a release, or a waiter that gave up), then hands the lock to the
-- waiters the rule admits. Ids are never reused, so this never touches another grant.
-- With a condition's keys (KEYS[5..7]: a monitor waiter withdrawn, which may still be in the
-- condition's wait queue), a waiter found there is removed from it instead, and nothing else.
-- ARGV[4] id. Reply: 1 if the entry was there, else 0.
local id = ARGV[4]

if COND then
  cond_purge()
  if redis.call('ZSCORE', CW, id) then
    cond_remove(id)
    cond_finish(nil)
    return 1
  end
  cond_finish(nil)
end

-- Fast path: the live holder of a mutex (or leadership) releases and nobody waits. It is the
-- only entry (at most one holder, no waiter key), so the name's state goes, as the general path
-- would leave it: the counter survives only while it is ahead of the clock. 5 calls.
if SINGLE and redis.call('EXISTS', W) == 0 then
  local expiry = redis.call('ZSCORE', H, id)
  if expiry and tonumber(expiry) >= now then
    clear()
    redis.call('PUBLISH', EVENTS, 'L\n' .. NAME .. '\n0')
    return 1
  end
end

purge()
local removed = 0
if redis.call('ZREM', H, id) == 1 then
  removed = 1
  h_empty = SINGLE -- the only holder of a single-holder family: H is gone
elseif redis.call('ZREM', W, id) == 1 then
  redis.call('LREM', Q, 0, id)
  removed = 1
end
if removed == 1 then
  drop(id)
  changed = true
end
if changed then
  saturate(nil)
end
finish(nil)
return removed

-- Removes one entry by its id (a release, or a waiter that gave up), then hands the lock to the
-- waiters the rule admits. Ids are never reused, so this never touches another grant.
-- With a condition's keys (KEYS[6..8]: a monitor waiter withdrawn, which may still be in the
-- condition's wait queue), a waiter found there is removed from it instead, and nothing else.
-- ARGV[2] id. Reply: 1 if the entry was there, else 0.
local id = ARGV[2]

-- The fast path (HELD -> FREE) ran before the prelude (release_fast.lua) and did not apply.
clock()
if COND then
  cond_purge()
  if redis.call('ZSCORE', CW, id) then
    cond_remove(id)
    cond_finish(nil)
    return 1
  end
  cond_finish(nil)
end

purge()
local removed = 0
if unhold(id) then
  removed = 1
elseif redis.call('ZREM', W, id) == 1 then
  redis.call('LREM', Q, 0, id)
  drop(id)
  removed = 1
  changed = true
end
if changed then
  saturate(nil)
end
finish(nil)
return removed

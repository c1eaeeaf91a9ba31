-- Removes one entry by its id (a release, or a waiter that gave up), then hands the lock to the
-- waiters the rule admits. Ids are never reused, so this never touches another grant.
-- ARGV[4] id. Reply: 1 if the entry was there, else 0.
purge()
local id = ARGV[4]
local removed = 0
if redis.call('ZREM', H, id) == 1 then
  removed = 1
end
if redis.call('ZREM', W, id) == 1 then
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
finish()
return removed

-- Extends one held grant to now + TTL. ARGV[4] id, [5] TTL ms. Reply: 1 renewed, 0 gone.
purge()
local id = ARGV[4]
local ok = 0
if redis.call('ZSCORE', H, id) then
  redis.call('ZADD', H, 'XX', n2s(now + tonumber(ARGV[5])), id)
  ok = 1
end
if changed then
  saturate(nil)
end
finish()
return ok

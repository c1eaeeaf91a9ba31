-- Extends held grants, of any names, to now + TTL: one call renews a batch of leases.
-- KEYS: E, Q, W, H of each lease's name and family, 4 per lease, in the order of the ids.
-- ARGV[1] lease TTL ms, ARGV[1 + i] the id of lease i.
-- Reply: per lease, 1 renewed, 0 gone (purged, withdrawn, or past its expiry: a grant the server
-- may already have counted as expired is never revived).
-- Nothing is purged or granted here: waiters re-check on their own within their recheck interval.
local t = redis.call('TIME')
local now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000)
local expiry = now + tonumber(ARGV[1])
local out = {}
for i = 1, #ARGV - 1 do
  local b = (i - 1) * 4
  local E, Q, W, H = KEYS[b + 1], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4]
  local id = ARGV[i + 1]
  local s = redis.call('ZSCORE', H, id)
  if s and tonumber(s) >= now then
    redis.call('ZADD', H, 'XX', string.format('%.0f', expiry), id)
    -- Keep every key of the name alive 1 s past its latest deadline (see lock_common.lua).
    local horizon = tonumber(redis.call('ZRANGE', H, -1, -1, 'WITHSCORES')[2])
    local wmax = redis.call('ZRANGE', W, -1, -1, 'WITHSCORES')
    if #wmax > 0 then
      horizon = math.max(horizon, tonumber(wmax[2]))
    end
    local at = string.format('%.0f', horizon + 1000)
    for _, k in ipairs({ E, Q, W, H }) do
      redis.call('PEXPIREAT', k, at)
    end
    out[i] = 1
  else
    out[i] = 0
  end
end
return out

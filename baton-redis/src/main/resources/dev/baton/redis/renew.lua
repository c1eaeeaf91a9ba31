-- Extends held grants, of any names, to now + TTL: one call renews a batch of leases.
-- KEYS: E and H of each lease's name and family, 2 per lease, in the order of the leases.
-- ARGV[1] lease TTL ms; then per lease i: ARGV[2i] its id, ARGV[2i + 1] '1' if its family has a
-- single holder (kept in E, see lock_common.lua), else '0' (kept in H).
-- Reply: per lease, 1 renewed, 0 gone (purged, withdrawn, or past its expiry: a grant the server
-- may already have counted as expired is never revived).
-- Nothing is purged or granted here: waiters re-check on their own within their recheck interval.
-- A sole holder with nobody waiting costs 3 calls (HMGET, HSET, PEXPIREAT) plus the batch's TIME.
local t = redis.call('TIME')
local now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000)
local expiry = now + tonumber(ARGV[1])
local exp = string.format('%.0f', expiry)
local at = string.format('%.0f', expiry + 1000)

-- Sets key k to expire at `at` unless it already lives longer (it may cover a longer deadline).
local function extend(k)
  local pt = redis.call('PTTL', k)
  if pt < 0 or now + pt < expiry + 1000 then
    redis.call('PEXPIREAT', k, at)
  end
end

local out = {}
for i = 1, #KEYS / 2 do
  local E, H = KEYS[2 * i - 1], KEYS[2 * i]
  local id = ARGV[2 * i]
  out[i] = 0
  if ARGV[2 * i + 1] == '1' then
    local f = redis.call('HMGET', E, 'h', 'x', 'n')
    if f[1] == id and tonumber(f[2]) >= now then
      redis.call('HSET', E, 'x', exp)
      if f[3] then
        extend(E) -- E also covers the waiters' deadlines: only ever extended
      else
        -- Only the holder and the counter: E needs exactly this long (the new expiry is later
        -- than the old, which it replaces).
        redis.call('PEXPIREAT', E, at)
      end
      out[i] = 1
    end
  else
    local s = redis.call('ZSCORE', H, id)
    if s and tonumber(s) >= now then
      redis.call('ZADD', H, 'XX', exp, id)
      extend(H)
      extend(E)
      out[i] = 1
    end
  end
end
return out

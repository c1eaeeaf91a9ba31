-- redis-fenced-floor's acquire: the least a Redis lock must do to hand out a fencing token that
-- never goes back, also across a restart without persistence (Baton's rule: max(last + 1, server
-- TIME in µs)). One key, one hash: h = holder, x = expiry (ms), ctr = the last token. Nothing
-- else: no queue, no events, no expiry of the key (the counter stays), no lease renewal.
-- KEYS[1] the lock's hash; ARGV[1] the holder's id, ARGV[2] the TTL in ms.
-- Returns the token, or 0 while another holder's expiry has not passed.
local f = redis.call('HMGET', KEYS[1], 'h', 'x', 'ctr')
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
if f[1] and tonumber(f[2]) >= now then
  return 0
end
local tok = math.max(tonumber(f[3] or '0') + 1, now_us)
redis.call('HSET', KEYS[1], 'ctr', tok, 'h', ARGV[1], 'x', now + tonumber(ARGV[2]))
return tok

-- Writes a value with the key's next version: max(last + 1, server clock in microseconds), so
-- versions rise across deletes and restarts without keeping a counter per deleted key.
-- KEYS[1] the value hash (fields v, ver), KEYS[2] the namespace's watch mark (the event is
-- published only while it exists, as lock events are: lock_common.lua, RedisWatch). ARGV[1] 'put' or 'cas', [2] expected version
-- (0: absent), [3] value, [4] events channel, [5] key. Reply: the new version, or 0 (CAS failed).
local K = KEYS[1]
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cur = redis.call('HMGET', K, 'v', 'ver')
local current = 0
if cur[1] then
  current = tonumber(cur[2])
end
if ARGV[1] == 'cas' and current ~= tonumber(ARGV[2]) then
  return 0
end
local ver = math.max(tonumber(cur[2] or '0') + 1, now_us)
local vs = string.format('%.0f', ver)
redis.call('HSET', K, 'v', ARGV[3], 'ver', vs)
redis.call('PERSIST', K)
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[4], 'P\n' .. vs .. '\n' .. ARGV[5] .. '\n' .. ARGV[3])
end
return ver

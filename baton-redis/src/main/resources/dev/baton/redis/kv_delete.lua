-- Deletes a value if its version matches (ARGV[1] < 0: any). A tombstone keeps the version only
-- while it is ahead of the clock, so a re-created key continues above it.
-- KEYS[1] the value hash, KEYS[2] the namespace's watch mark (published only while it exists).
-- ARGV[2] events channel, [3] key. Reply: 1 deleted, 0 not.
local K = KEYS[1]
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cur = redis.call('HMGET', K, 'v', 'ver')
if not cur[1] then
  return 0
end
local expected = tonumber(ARGV[1])
local ver = tonumber(cur[2])
if expected >= 0 and ver ~= expected then
  return 0
end
redis.call('DEL', K)
if ver >= now_us then
  redis.call('HSET', K, 'ver', string.format('%.0f', ver))
  redis.call('PEXPIRE', K, math.floor((ver - now_us) / 1000) + 2)
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], 'D\n' .. ARGV[3])
end
return 1

-- Announces a watcher: keeps the namespace's watch mark (KEYS[1]) alive, creating it if absent.
-- The lock scripts publish events only while the mark exists (lock_common.lua). Each creation
-- gives it a new generation (a random value the client chose), so a client that finds the
-- generation it saw last knows the mark existed all along since then, and one that finds another
-- knows it may have lapsed meanwhile (events unpublished): it then tells its subscriptions to
-- resync (RedisWatch).
-- ARGV[1] a fresh generation, [2] TTL ms. Reply: the mark's generation now.
local g = redis.call('GET', KEYS[1])
if not g then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return g

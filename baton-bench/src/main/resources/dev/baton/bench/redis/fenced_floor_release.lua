-- redis-fenced-floor's release: compare-and-delete of the holder's fields; the counter stays.
-- KEYS[1] the lock's hash; ARGV[1] the holder's id. Returns 1 if it released, 0 if not the holder.
if redis.call('HGET', KEYS[1], 'h') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'h', 'x')
  return 1
end
return 0

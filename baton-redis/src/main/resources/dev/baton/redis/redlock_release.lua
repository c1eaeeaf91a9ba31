-- Redlock release on one master: deletes the key only if it still holds our random owner value,
-- so a grant that expired and went to another client is never touched.
-- KEYS[1] lock key; ARGV[1] owner value. Reply: 1 deleted, 0 not ours (or gone).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0

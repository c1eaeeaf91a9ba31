-- Redlock renewal on one master: resets the expiry to TTL only if the key still holds our random
-- owner value. KEYS[1] lock key; ARGV[1] owner value, ARGV[2] TTL ms. Reply: 1 extended, 0 gone.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0

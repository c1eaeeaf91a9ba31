-- Fast path of release.lua (HELD -> FREE, see lock_common.lua), placed before the shared prelude
-- for the same reason as acquire_fast.lua; it ends the script only when it released, having
-- written nothing otherwise. The holder of a single-holder family releases and nobody waits (no
-- n): it is the only entry, so dropping its fields leaves the name free; the counter stays in E
-- until E's expiry, after which tokens continue from the clock. No clock needed: whether the
-- holder's expiry passed makes no difference (either way it goes, and no one else can have been
-- granted while h names it). Not for a monitor waiter's withdrawal (condition keys given).
if #KEYS == 5 and (ARGV[1] == 'MUTEX' or ARGV[1] == 'LEADERSHIP' or ARGV[1] == 'MONITOR') then
  local E = KEYS[1]
  local f = redis.call('HMGET', E, 'h', 'n')
  if f[1] == ARGV[2] and not f[2] then
    redis.call('HDEL', E, 'h', 'x', 'i')
    if redis.call('EXISTS', KEYS[5]) == 1 then
      -- The channel and the name, from the keys as lock_common.lua's events() reads them.
      local ns = string.sub(KEYS[5], 8, -10)
      redis.call('PUBLISH', 'baton:w:' .. ns,
        'L\n' .. string.sub(E, 9 + #ns, -(#ARGV[1] + 5)) .. '\n0')
    end
    return 1
  end
end

-- Read-only view of one name across every family: live holders and waiters. It judges liveness,
-- so it reads the server's clock.
-- KEYS: E, Q, W, H of each family (20 keys, one hash tag); ARGV[i]: the family of the i-th four
-- (MUTEX, SEMAPHORE, WRITE, LEADERSHIP, MONITOR). A monitor's condition waiters are not counted:
-- they wait for a signal, not the lock.
-- Reply: {waiters, "client\tkind\tpermits\ttoken\tsince", ...}
local t = redis.call('TIME')
local now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000)
local out = {}
local waiters = 0
for i = 0, #KEYS / 4 - 1 do
  local E, W, H = KEYS[i * 4 + 1], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
  local family = ARGV[i + 1]
  waiters = waiters + redis.call('ZCOUNT', W, now, '+inf')
  if family == 'MUTEX' or family == 'LEADERSHIP' or family == 'MONITOR' then
    local f = redis.call('HMGET', E, 'h', 'x', 'i', 'ctr')
    if f[1] and tonumber(f[2]) >= now then
      -- i: "<client>\t<granted at>\t<seq>"; absent for a holder an earlier Baton version wrote
      -- (lock_common.lua's holder_info)
      local c, s = string.match(f[3] or '', '^(.*)\t(%d+)\t%d+$')
      if not c then
        c, s = '', '0'
      end
      table.insert(out, table.concat({ c, family, '1', f[4], s }, '\t'))
    end
  else
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', H, now, '+inf')) do
      local f = redis.call('HMGET', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s')
      table.insert(out, table.concat(f, '\t'))
    end
  end
end
table.insert(out, 1, tostring(waiters))
return out

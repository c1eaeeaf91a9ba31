-- Read-only view of one name across every family: live holders and waiters.
-- KEYS: E, Q, W, H of each family (MUTEX, SEMAPHORE, WRITE, LEADERSHIP, MONITOR: 20 keys, one
-- hash tag). A monitor's condition waiters are not counted: they wait for a signal, not the lock.
-- Reply: {waiters, "client\tkind\tpermits\ttoken\tsince", ...}
local t = redis.call('TIME')
local now = math.floor((tonumber(t[1]) * 1000000 + tonumber(t[2])) / 1000)
local out = {}
local waiters = 0
for i = 0, #KEYS / 4 - 1 do
  local E, W, H = KEYS[i * 4 + 1], KEYS[i * 4 + 3], KEYS[i * 4 + 4]
  waiters = waiters + redis.call('ZCOUNT', W, now, '+inf')
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', H, now, '+inf')) do
    local f = redis.call('HMGET', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s')
    table.insert(out, table.concat(f, '\t'))
  end
end
table.insert(out, 1, tostring(waiters))
return out

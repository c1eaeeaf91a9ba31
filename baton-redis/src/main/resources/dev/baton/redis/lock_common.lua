-- Shared prelude of the lock scripts (acquire, release, renew, wait); RedisScripts prepends it.
-- KEYS (one name, one family, one hash tag):
--   E  hash: per entry id, fields id:c client, id:k kind, id:p permits, id:t token (0 while
--      waiting), id:s granted at (ms), id:l lease TTL (ms), id:q heard seq, id:h heard at (ms)
--   Q  list: waiting ids, FIFO
--   W  zset: waiting id -> liveness deadline (server ms)
--   H  zset: held id -> expiry (server ms)
--   M  hash: ctr (last fencing token), limit (semaphore size)
-- ARGV[1] family (MUTEX, SEMAPHORE, WRITE, LEADERSHIP), ARGV[2] events channel, ARGV[3] name.
-- All time is the server's (TIME); clients never send clock readings.
local E, Q, W, H, M = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local FAMILY, EVENTS, NAME = ARGV[1], ARGV[2], ARGV[3]
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
local changed = false

-- Lua numbers are doubles; tostring would print 1.7e+15. Integers below 2^53 print exactly.
local function n2s(x)
  return string.format('%.0f', x)
end

local function drop(id)
  redis.call('HDEL', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s', id .. ':l',
    id .. ':q', id .. ':h')
end

-- Removes holders past their expiry and waiters past their liveness deadline.
local function purge()
  local dead = redis.call('ZRANGEBYSCORE', H, '-inf', '(' .. n2s(now))
  for _, id in ipairs(dead) do
    redis.call('ZREM', H, id)
    drop(id)
    changed = true
  end
  dead = redis.call('ZRANGEBYSCORE', W, '-inf', '(' .. n2s(now))
  for _, id in ipairs(dead) do
    redis.call('ZREM', W, id)
    redis.call('LREM', Q, 0, id)
    drop(id)
    changed = true
  end
end

-- Tokens: max(last + 1, server clock in microseconds). A missing counter (first use, state
-- expired, server restarted without persistence) therefore continues from the clock.
local function next_token()
  local ctr = tonumber(redis.call('HGET', M, 'ctr') or '0')
  local tok = math.max(ctr + 1, now_us)
  redis.call('HSET', M, 'ctr', n2s(tok))
  return tok
end

-- Grants a waiting entry. Its expiry counts from when the server last heard its client about
-- it (id:h), so the client's deadline, counted from the send time of that request (id:q), is
-- earlier. The waiter's client is told on its channel, except self (answered by the reply).
local function grant(id, self)
  local tok = next_token()
  local f = redis.call('HMGET', E, id .. ':c', id .. ':l', id .. ':q', id .. ':h')
  local expiry = tonumber(f[4]) + tonumber(f[2])
  redis.call('LREM', Q, 1, id)
  redis.call('ZREM', W, id)
  redis.call('ZADD', H, n2s(expiry), id)
  redis.call('HSET', E, id .. ':t', n2s(tok), id .. ':s', n2s(now))
  if id ~= self then
    redis.call('PUBLISH', 'baton:c:' .. f[1], id .. ' ' .. n2s(tok) .. ' ' .. f[3])
  end
  changed = true
end

-- Grants every waiter the family's rule admits, in queue order (the queue is saturated after).
local function saturate(self)
  local q = redis.call('LRANGE', Q, 0, -1)
  if #q == 0 then
    return
  end
  local held = redis.call('ZRANGE', H, 0, -1)
  if FAMILY == 'MUTEX' or FAMILY == 'LEADERSHIP' then
    if #held == 0 then
      grant(q[1], self)
    end
  elseif FAMILY == 'SEMAPHORE' then
    -- Strict FIFO: a large request at the head blocks later small ones.
    local limit = tonumber(redis.call('HGET', M, 'limit') or '1')
    local used = 0
    for _, id in ipairs(held) do
      used = used + tonumber(redis.call('HGET', E, id .. ':p'))
    end
    for _, id in ipairs(q) do
      local p = tonumber(redis.call('HGET', E, id .. ':p'))
      if used + p > limit then
        break
      end
      used = used + p
      grant(id, self)
    end
  else
    -- WRITE family (READ and WRITE entries). A writer needs the lock free; a reader needs no
    -- writer holding or queued before it (writer preference).
    local count = 0
    for _, id in ipairs(held) do
      if redis.call('HGET', E, id .. ':k') == 'WRITE' then
        return
      end
      count = count + 1
    end
    for _, id in ipairs(q) do
      if redis.call('HGET', E, id .. ':k') == 'WRITE' then
        if count == 0 then
          grant(id, self)
        end
        break
      end
      grant(id, self)
      count = count + 1
    end
  end
end

-- Milliseconds until the earliest holder expires, or -1: when the client should re-check.
local function hint()
  local h = redis.call('ZRANGE', H, 0, 0, 'WITHSCORES')
  if #h == 0 then
    return -1
  end
  return tonumber(h[2]) - now
end

-- Publishes the lock event if anything changed, then bounds the life of the keys: deleted when
-- nothing is held or waiting (the counter survives only while it is ahead of the clock), else
-- expiring 1 s after the last holder's expiry or waiter's liveness deadline.
local function finish()
  if changed then
    local held = redis.call('ZRANGE', H, 0, -1)
    local parts = { 'L', NAME, tostring(redis.call('LLEN', Q)) }
    for _, id in ipairs(held) do
      local f = redis.call('HMGET', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s')
      table.insert(parts, table.concat(f, '\t'))
    end
    redis.call('PUBLISH', EVENTS, table.concat(parts, '\n'))
  end
  local hmax = redis.call('ZRANGE', H, -1, -1, 'WITHSCORES')
  local wmax = redis.call('ZRANGE', W, -1, -1, 'WITHSCORES')
  if #hmax == 0 and #wmax == 0 then
    local ctr = tonumber(redis.call('HGET', M, 'ctr') or '0')
    redis.call('DEL', E, Q, W, H, M)
    if ctr >= now_us then
      redis.call('HSET', M, 'ctr', n2s(ctr))
      redis.call('PEXPIRE', M, math.floor((ctr - now_us) / 1000) + 2)
    end
  else
    local horizon = 0
    if #hmax > 0 then
      horizon = tonumber(hmax[2])
    end
    if #wmax > 0 then
      horizon = math.max(horizon, tonumber(wmax[2]))
    end
    local at = n2s(horizon + 1000)
    for _, k in ipairs({ E, Q, W, H, M }) do
      redis.call('PEXPIREAT', k, at)
    end
  end
end

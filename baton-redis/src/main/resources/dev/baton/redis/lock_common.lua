-- Shared prelude of the lock scripts (acquire, release, wait, and the monitor's await, signal and
-- time_up); RedisScripts prepends it. Every key of one name shares its {hash tag}.
-- KEYS[1..4] (one name, one family):
--   E  hash: per entry id, fields id:c client, id:k kind, id:p permits, id:t token (0 while
--      waiting), id:s granted at (ms), id:l lease TTL (ms), id:q heard seq, id:h heard at (ms)
--   Q  list: waiting ids, FIFO
--   W  zset: waiting id -> liveness deadline (server ms)
--   H  zset: held id -> expiry (server ms)
--      and, in the same hash, ctr (last fencing token) and limit (semaphore size): field names
--      without a colon never collide with an entry's
-- KEYS[5..7], only for the MONITOR family and only in scripts about one condition (await,
-- signal, time_up, and wait and release of a waiter that may still be in it): the condition's
-- wait queue, shaped like E, Q and W of the entry queue but without holders:
--   CE hash: per waiter id, fields id:c client, id:l lease TTL (ms), id:q heard seq, id:h heard
--      at (ms): what its entry in the monitor's queue will carry once moved there
--   CQ list: waiting ids, oldest first
--   CW zset: waiting id -> liveness deadline (server ms), refreshed by wait.lua like W's
-- Invariants: Q and W hold the same ids; a MUTEX, LEADERSHIP or MONITOR family holds at most one
-- entry in H; E holds the fields of live entries only (every removal drops them); every key
-- expires at least 1 s after the latest expiry or deadline of the entries it holds (E: of all
-- entries), and E and Q no earlier than W; a grant's expiry never exceeds the deadline its entry
-- had as a waiter. Keys may expire at different instants. Likewise CQ and CW hold the same ids and
-- CE exactly their fields, and all three expire together, at least 1 s after the latest deadline
-- in CW (deleted once CQ is empty). An id is in at most one place: a condition's queue, the entry
-- queue (Q, W) or H; it moves only from a condition to the tail of Q (signal, time_up) and keeps
-- its id, fields and deadline, so the waiter's client knows which grant to expect.
-- Who changes what: acquire appends to Q/W (or grants); release removes from H or Q/W, or (with
-- KEYS[5..7]) a waiter from its condition; wait refreshes a deadline (W or CW); renew extends H;
-- await removes the holder from H and appends to CQ/CW; signal and time_up move waiters from
-- CQ/CW to Q/W; every script that touches a queue purges its dead entries first, and hands the
-- lock on (saturate) when a holder or the head left.
-- ARGV[1] family (MUTEX, SEMAPHORE, WRITE, LEADERSHIP, MONITOR), ARGV[2] events channel, ARGV[3]
-- name. All time is the server's (TIME); clients never send clock readings.
local E, Q, W, H = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local CE, CQ, CW = KEYS[5], KEYS[6], KEYS[7]
local COND = CW ~= nil
local SINGLE = ARGV[1] == 'MUTEX' or ARGV[1] == 'LEADERSHIP' or ARGV[1] == 'MONITOR'
local FAMILY, EVENTS, NAME = ARGV[1], ARGV[2], ARGV[3]
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
local changed = false
-- Set by this call: h_empty when it removed the only holder of a single-holder family (H is gone),
-- granted when it granted anything (something is held).
local h_empty = false
local granted = false
-- Extra life given to E, Q and W when a deadline outgrows their expiry, so that most calls that
-- set a deadline only need to check: a name nobody touches any more keeps its keys at most this
-- much longer than 1 s past its last deadline.
local SLACK = 5000

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

-- Tokens: max(last + 1, server clock in microseconds), from the ctr read in the same call that
-- reads the entry. A missing counter (first use, state expired, server restarted without
-- persistence) therefore continues from the clock.
local function token_after(ctr)
  return math.max(tonumber(ctr or '0') + 1, now_us)
end

-- Grants a waiting entry. Its expiry counts from when the server last heard its client about
-- it (id:h), so the client's deadline, counted from the send time of that request (id:q), is
-- earlier. The waiter's client is told on its channel, except self (answered by the reply).
-- Returns the token.
local function grant(id, self)
  local f = redis.call('HMGET', E, 'ctr', id .. ':c', id .. ':l', id .. ':q', id .. ':h')
  local tok = token_after(f[1])
  local expiry = tonumber(f[5]) + tonumber(f[3])
  redis.call('LREM', Q, 1, id)
  redis.call('ZREM', W, id)
  redis.call('ZADD', H, n2s(expiry), id)
  -- The holder key must outlive this grant by 1 s. Nothing else sets its expiry here, and the
  -- key may be new (the last holder's removal deleted it) or set by an earlier grant of this call
  -- for a shorter lease (waiters of one semaphore may have different TTLs): extend it when short.
  local pt = -1
  if not h_empty then
    pt = redis.call('PTTL', H)
  end
  if pt < 0 or now + pt < expiry + 1000 then
    redis.call('PEXPIREAT', H, n2s(expiry + 1000))
  end
  h_empty = false
  granted = true
  redis.call('HSET', E, 'ctr', n2s(tok), id .. ':t', n2s(tok), id .. ':s', n2s(now))
  if id ~= self then
    redis.call('PUBLISH', 'baton:c:' .. f[2], id .. ' ' .. n2s(tok) .. ' ' .. f[4])
  end
  changed = true
  return tok
end

-- Grants every waiter the family's rule admits, in queue order (the queue is saturated after).
-- Returns self's token if self was granted, else nil.
local function saturate(self)
  local mine = nil
  if SINGLE then
    -- At most one holder: only the head can be granted, and only when nothing is held.
    if h_empty or redis.call('EXISTS', H) == 0 then
      local head = redis.call('LINDEX', Q, 0)
      if head then
        local tok = grant(head, self)
        if head == self then
          mine = tok
        end
      end
    end
    return mine
  end
  local q = redis.call('LRANGE', Q, 0, -1)
  if #q == 0 then
    return nil
  end
  local held = redis.call('ZRANGE', H, 0, -1)
  local function admit(id)
    local tok = grant(id, self)
    if id == self then
      mine = tok
    end
  end
  if FAMILY == 'SEMAPHORE' then
    -- Strict FIFO: a large request at the head blocks later small ones.
    local limit = tonumber(redis.call('HGET', E, 'limit') or '1')
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
      admit(id)
    end
  else
    -- WRITE family (READ and WRITE entries). A writer needs the lock free; a reader needs no
    -- writer holding or queued before it (writer preference).
    local count = 0
    for _, id in ipairs(held) do
      if redis.call('HGET', E, id .. ':k') == 'WRITE' then
        return nil
      end
      count = count + 1
    end
    for _, id in ipairs(q) do
      if redis.call('HGET', E, id .. ':k') == 'WRITE' then
        if count == 0 then
          admit(id)
        end
        break
      end
      admit(id)
      count = count + 1
    end
  end
  return mine
end

-- Milliseconds until the earliest holder expires, or -1: when the client should re-check.
local function hint()
  local h = redis.call('ZRANGE', H, 0, 0, 'WITHSCORES')
  if #h == 0 then
    return -1
  end
  return tonumber(h[2]) - now
end

-- The lock event for watchers: name, queue length, then one line per holder.
local function holder_line(c, k, p, tok, since)
  return table.concat({ c, k, p, tok, since }, '\t')
end

-- Deletes a name's state once nothing is held or waiting; the counter survives only while it is
-- ahead of the clock (so that tokens keep rising when grants outpace the microsecond clock).
local function clear()
  local ctr = tonumber(redis.call('HGET', E, 'ctr') or '0')
  redis.call('DEL', E, Q, W, H)
  if ctr >= now_us then
    redis.call('HSET', E, 'ctr', n2s(ctr))
    redis.call('PEXPIRE', E, math.floor((ctr - now_us) / 1000) + 2)
  end
end

-- Keeps E, Q and W alive until at least 1 s after the deadline d (ms). E and Q always expire no
-- earlier than W (they are extended together, and renew.lua sets all keys alike), so W's expiry
-- tells whether they need extending; they are then given SLACK more. Q and W hold only waiters,
-- all covered by their current expiry (or, if W is new, only this one), so setting them never
-- cuts a deadline short; E also holds the holders' fields, whose expiry may be later (a longer
-- lease): E is only ever extended.
local function cover(d)
  local pt = redis.call('PTTL', W)
  if pt < 0 or now + pt < d + 1000 then
    local until_ms = d + 1000 + SLACK
    local at = n2s(until_ms)
    redis.call('PEXPIREAT', Q, at)
    redis.call('PEXPIREAT', W, at)
    local pe = redis.call('PTTL', E)
    if pe < 0 or now + pe < until_ms then
      redis.call('PEXPIREAT', E, at)
    end
  end
end

-- Publishes the lock event if anything changed and anyone listens, then bounds the life of the
-- keys. d: the deadline of an entry this call queued or refreshed (which may since have been
-- granted, with an expiry within d): the keys must outlive it (cover). Otherwise deadlines only
-- went away, or moved from a waiter to its grant (whose holder key grant() keeps alive): the keys'
-- expiry still covers every deadline, and they are deleted once nothing is held or waiting.
local function finish(d)
  if changed and redis.call('PUBSUB', 'NUMSUB', EVENTS)[2] > 0 then
    local held = redis.call('ZRANGE', H, 0, -1)
    local parts = { 'L', NAME, tostring(redis.call('LLEN', Q)) }
    for _, id in ipairs(held) do
      local f = redis.call('HMGET', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s')
      table.insert(parts, holder_line(f[1], f[2], f[3], f[4], f[5]))
    end
    redis.call('PUBLISH', EVENTS, table.concat(parts, '\n'))
  end
  if d then
    cover(d)
  elseif not granted and redis.call('EXISTS', H, W) == 0 then
    clear()
  end
end

-- ---------------------------------------------------------------- monitor conditions (KEYS[5..7])

local function cond_drop(id)
  redis.call('HDEL', CE, id .. ':c', id .. ':l', id .. ':q', id .. ':h')
end

-- Removes one waiter from the condition (CQ, CW, CE).
local function cond_remove(id)
  redis.call('ZREM', CW, id)
  redis.call('LREM', CQ, 0, id)
  cond_drop(id)
end

-- Removes the condition's waiters past their liveness deadline: the same rule as purge's for W
-- (a client that stopped refreshing its waiter for its liveness bound is dead).
local function cond_purge()
  local dead = redis.call('ZRANGEBYSCORE', CW, '-inf', '(' .. n2s(now))
  for _, id in ipairs(dead) do
    cond_remove(id)
  end
end

-- Moves a waiter from the condition to the tail of the monitor's entry queue, with its id, client,
-- TTL, heard seq and time and its liveness deadline: the entry acquire.lua would have made at its
-- last refresh. A record the keys' expiry left incomplete is dropped. Returns the deadline, or nil.
local function cond_move(id)
  local d = redis.call('ZSCORE', CW, id)
  local f = redis.call('HMGET', CE, id .. ':c', id .. ':l', id .. ':q', id .. ':h')
  cond_remove(id)
  if not d or not f[1] or not f[2] or not f[3] or not f[4] then
    return nil
  end
  redis.call('HSET', E, id .. ':c', f[1], id .. ':k', 'MONITOR', id .. ':p', '1', id .. ':t', '0',
    id .. ':s', n2s(now), id .. ':l', f[2], id .. ':q', f[3], id .. ':h', f[4])
  redis.call('RPUSH', Q, id)
  redis.call('ZADD', W, d, id)
  changed = true
  return tonumber(d)
end

-- Deletes the condition's keys once nobody waits in it; else, given the deadline d (ms) of a
-- waiter this call added or refreshed, keeps all three alive until at least 1 s after it (with
-- SLACK more, as cover does): they hold only waiters, all covered by their current expiry.
local function cond_finish(d)
  if redis.call('LLEN', CQ) == 0 then
    redis.call('DEL', CE, CQ, CW)
    return
  end
  if d then
    local pt = redis.call('PTTL', CW)
    if pt < 0 or now + pt < d + 1000 then
      local at = n2s(d + 1000 + SLACK)
      redis.call('PEXPIREAT', CE, at)
      redis.call('PEXPIREAT', CQ, at)
      redis.call('PEXPIREAT', CW, at)
    end
  end
end

-- Shared prelude of the lock scripts (acquire, release, wait, and the monitor's await, signal and
-- time_up); RedisScripts prepends it. Every key of one name shares its {hash tag}.
-- KEYS[1..5] (one name, one family):
--   E  hash, the name's state. Always: ctr (last fencing token) and, while anyone waits, n (the
--      number of waiters in W). A single-holder family (MUTEX, LEADERSHIP, MONITOR) keeps its
--      holder here too: h id, x expiry (server ms), i "<client>\t<granted at (ms)>\t<seq of the
--      request its expiry counts from>" (one field: each field costs every grant and release a
--      little server time, docs/BENCHMARKS.md); its token is ctr (nothing is granted while it
--      holds, so the counter stays the holder's token until it goes). Per entry that is not such
--      a holder (waiters, and the holders of SEMAPHORE and WRITE): id:c client, id:k kind, id:p
--      permits, id:t token (0 while waiting), id:s granted at, id:l lease TTL (ms), id:q heard
--      seq, id:h heard at (ms). SEMAPHORE also keeps limit (its size). Field names without a colon never
--      collide with an entry's.
--   Q  list: waiting ids, FIFO          } created by the first waiter, deleted or expired with
--   W  zset: waiting id -> liveness     } the last: a free name, or one held with nobody queued,
--      deadline (server ms)             } has neither
--   H  zset: held id -> expiry (server ms); SEMAPHORE and WRITE only (a single holder lives in E)
--   M  the namespace's watch mark (RedisWatch): exists while some client watches the namespace.
--      Lock events are published iff it exists when the change is made. Not in the name's hash tag
--      (one per namespace): a Redis Cluster would need it per slot; only standalone servers are
--      supported.
-- KEYS[6..8], only for the MONITOR family and only in scripts about one condition (await,
-- signal, time_up, and wait and release of a waiter that may still be in it): the condition's
-- wait queue, shaped like E, Q and W of the entry queue but without holders:
--   CE hash: per waiter id, fields id:c client, id:l lease TTL (ms), id:q heard seq, id:h heard
--      at (ms): what its entry in the monitor's queue will carry once moved there
--   CQ list: waiting ids, oldest first
--   CW zset: waiting id -> liveness deadline (server ms), refreshed by wait.lua like W's
--
-- The states of one name's family, and what moves it between them (tested one by one in
-- RedisLockStatesTest; "live" means expiry or deadline not yet past by the server's clock):
--   FREE     no E, or E with ctr only (a release on the fast path leaves the counter, whose key
--            expires on its own; the general path deletes E unless the counter is ahead of the
--            clock). No Q, W, H.
--   HELD     a live holder (h or H), no waiter: E (and H) only, no n, no Q or W. A single
--            holder's E expires 1 s after x.
--   QUEUED   a holder and waiters, or (SEMAPHORE, WRITE) waiters the rule does not admit: n > 0,
--            Q and W hold the same ids.
--   STALE    what the clock leaves behind: a holder past x, waiters past their deadline, or an n
--            whose W expired. Every script that reads it as anything but FREE or HELD takes the
--            general path, which purges first, so stale entries act as absent.
--   FREE  -acquire (fast: HMGET, TIME, HSET, PEXPIREAT, EXISTS M)->            HELD
--   HELD  -release by the holder (fast: HMGET, HDEL, EXISTS M)->               FREE
--   HELD  -renew (1 HMGET, 1 HSET, 1 PEXPIREAT)->                              HELD
--   HELD  -acquire by another (general path: appends to Q and W, sets n)->     QUEUED
--   QUEUED-release by the holder (general: grants the head, handoff message)-> HELD or QUEUED
--   QUEUED-the last waiter withdraws or dies (purged)->                         HELD (n, Q, W gone)
--   HELD or QUEUED -the holder's expiry passes, then any script->              FREE, HELD or QUEUED
--   any   -every key's TTL passes (nobody touched the name)->                  gone (FREE)
--   monitor: await (holder leaves, waiter joins CQ/CW), signal and time_up (waiters move from
--   CQ/CW to the tail of Q/W) go through the general path.
-- The fast paths (acquire_fast.lua, release_fast.lua, which run before this prelude so that they
-- pay for none of its definitions) exist only for single-holder families: acquire takes it iff E has no n and no
-- live holder (so nobody waits: W nonempty implies n, see below), release iff h is the caller
-- and E has no n. Both write exactly the state the general path would have written.
--
-- Invariants: Q and W hold the same ids, and n = ZCARD W whenever W exists (every script that
-- changes W ends in finish(), which sets n; W only loses ids otherwise by expiring, leaving an n
-- too high, which only sends the next call down the general path). A single-holder family has at
-- most one holder. E holds the fields of live entries only (every removal drops them). Every key
-- expires at least 1 s after the latest expiry or deadline of the entries it holds (E: of all
-- entries, including a holder in E), and E and Q no earlier than W; a grant's expiry never exceeds
-- the deadline its entry had as a waiter (so E, which outlives W, outlives the grant). Keys may
-- expire at different instants; E never before W. Likewise CQ and CW hold the same ids and CE
-- exactly their fields, and all three expire together, at least 1 s after the latest deadline in
-- CW (deleted once CQ is empty). An id is in at most one place: a condition's queue, the entry
-- queue (Q, W) or held; it moves only from a condition to the tail of Q (signal, time_up) and keeps
-- its id, fields and deadline, so the waiter's client knows which grant to expect.
--
-- Fencing tokens: max(ctr + 1, server clock in µs), ctr read in the same call that grants. The
-- counter lives in E, so it goes when E does, and the next token continues from the clock. That
-- never goes back: E outlives every grant by at least 1 s (a grant's expiry is at least its
-- grant time, and E outlives expiries by 1 s), and ctr leads the clock only by the grants one
-- script made beyond one per µs (a handful: each grant costs several µs of server time), so when E
-- expires the clock has passed ctr; the general path's clear() keeps a counter still ahead alive
-- until the clock passes it. Assumes the server clock never steps back, across restarts too.
--
-- Who changes what: acquire appends to Q/W (or grants); release removes a holder or a waiter, or
-- (with KEYS[6..8]) a waiter from its condition; wait refreshes a deadline (W or CW); renew
-- extends a holder; await removes the holder and appends to CQ/CW; signal and time_up move
-- waiters from CQ/CW to Q/W; every script that takes the general path purges dead entries first,
-- and hands the lock on (saturate) when a holder or the head left.
-- ARGV[1] family (MUTEX, SEMAPHORE, WRITE, LEADERSHIP, MONITOR); each script's own arguments
-- follow. The events channel and the name are not arguments: lock events read them from the keys
-- (events()), since only watched namespaces publish and the server parses every argument of every
-- call (a cost docs/BENCHMARKS.md measured). All time is the server's (TIME), read only by calls
-- that set or judge a deadline (clock()); clients never send clock readings.
local E, Q, W, H, M = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local CE, CQ, CW = KEYS[6], KEYS[7], KEYS[8]
local COND = CW ~= nil
local SINGLE = ARGV[1] == 'MUTEX' or ARGV[1] == 'LEADERSHIP' or ARGV[1] == 'MONITOR'
local FAMILY = ARGV[1]
local now_us, now
local changed = false
-- Set by this call: granted when it granted anything (something is held).
local granted = false
-- Single-holder families: the live holder's id and expiry as this call knows them (set by purge,
-- kept by unhold and grant); false when nothing is held.
local cur, cur_x = false, nil
-- Extra life given to E, Q and W when a deadline outgrows their expiry, so that most calls that
-- set a deadline only need to check: a name nobody touches any more keeps its keys at most this
-- much longer than 1 s past its last deadline.
local SLACK = 5000

-- Reads the server's clock. Every path that sets or judges a deadline calls it first.
local function clock()
  local t = redis.call('TIME')
  now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
  now = math.floor(now_us / 1000)
end

-- Lua numbers are doubles; tostring would print 1.7e+15. Integers below 2^53 print exactly.
local function n2s(x)
  return string.format('%.0f', x)
end

local function drop(id)
  redis.call('HDEL', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s', id .. ':l',
    id .. ':q', id .. ':h')
end

-- Removes a single-holder family's holder fields from E.
local function drop_holder()
  redis.call('HDEL', E, 'h', 'x', 'i')
end

-- A single holder's i field, split: client, granted at, seq (as text). A holder without i was
-- written by an earlier Baton version (its c, s and q fields; such state lives at most a lease TTL
-- after an upgrade): it reads as client '' granted at 0, so that no script fails half-way on it.
local function holder_info(i)
  local c, s, q = string.match(i or '', '^(.*)\t(%d+)\t(%d+)$')
  if not c then
    return '', '0', '0'
  end
  return c, s, q
end

local function watched()
  return redis.call('EXISTS', M) == 1
end

-- The namespace's events channel and the lock's name, for lock events, from the keys (Keys.java):
-- M is baton:{<namespace>}:watched, E baton:{<namespace>/<name>}:<family>:E, and the channel
-- baton:w:<namespace>. Names never contain braces or colons. The fast paths inline the same.
local function events()
  return 'baton:w:' .. string.sub(M, 8, -10)
end

local function lock_name()
  return string.sub(E, 9 + (#M - 16), -(#FAMILY + 5)) -- #M - 16: the namespace's length
end

-- Removes holders past their expiry and waiters past their liveness deadline; for a single-holder
-- family, learns the live holder (cur).
local function purge()
  if SINGLE then
    local f = redis.call('HMGET', E, 'h', 'x')
    if f[1] then
      if tonumber(f[2]) < now then
        drop_holder()
        changed = true
      else
        cur, cur_x = f[1], tonumber(f[2])
      end
    end
  else
    local dead = redis.call('ZRANGEBYSCORE', H, '-inf', '(' .. n2s(now))
    for _, id in ipairs(dead) do
      redis.call('ZREM', H, id)
      drop(id)
      changed = true
    end
  end
  local dead = redis.call('ZRANGEBYSCORE', W, '-inf', '(' .. n2s(now))
  for _, id in ipairs(dead) do
    redis.call('ZREM', W, id)
    redis.call('LREM', Q, 0, id)
    drop(id)
    changed = true
  end
end

-- Removes the live holder id (after purge). Returns whether it held.
local function unhold(id)
  if SINGLE then
    if cur ~= id then
      return false
    end
    drop_holder()
    cur, cur_x = false, nil
  else
    if redis.call('ZREM', H, id) == 0 then
      return false
    end
    drop(id)
  end
  changed = true
  return true
end

-- Whether anything is held (after purge).
local function held()
  if SINGLE then
    return cur ~= false
  end
  return redis.call('EXISTS', H) == 1
end

-- {1, token, seq} if id holds (after purge), else nil: what wait and time_up reply.
local function held_status(id)
  if SINGLE then
    if cur ~= id then
      return nil
    end
    local f = redis.call('HMGET', E, 'ctr', 'i')
    local _, _, q = holder_info(f[2])
    return { 1, tonumber(f[1]), tonumber(q) }
  end
  if not redis.call('ZSCORE', H, id) then
    return nil
  end
  local f = redis.call('HMGET', E, id .. ':t', id .. ':q')
  return { 1, tonumber(f[1]), tonumber(f[2]) }
end

-- Tokens: max(last + 1, server clock in microseconds), from the ctr read in the same call that
-- grants. A missing counter (first use, state expired, server restarted without persistence)
-- therefore continues from the clock (see the header).
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
  if SINGLE then
    -- The entry's fields become the holder's; E outlives the grant (it outlives W, which
    -- outlives the waiter's deadline, which is no earlier than this expiry).
    drop(id)
    redis.call('HSET', E, 'ctr', n2s(tok), 'h', id, 'x', n2s(expiry),
      'i', f[2] .. '\t' .. n2s(now) .. '\t' .. f[4])
    cur, cur_x = id, expiry
  else
    redis.call('ZADD', H, n2s(expiry), id)
    -- The holder key must outlive this grant by 1 s. Nothing else sets its expiry here, and the
    -- key may be new (the last holder's removal deleted it) or set by an earlier grant of this
    -- call for a shorter lease (waiters of one semaphore may have different TTLs): extend it when
    -- short.
    local pt = redis.call('PTTL', H)
    if pt < 0 or now + pt < expiry + 1000 then
      redis.call('PEXPIREAT', H, n2s(expiry + 1000))
    end
    redis.call('HSET', E, 'ctr', n2s(tok), id .. ':t', n2s(tok), id .. ':s', n2s(now))
  end
  granted = true
  if id ~= self then
    redis.call('PUBLISH', 'baton:c:' .. f[2], id .. ' ' .. n2s(tok) .. ' ' .. f[4])
  end
  changed = true
  return tok
end

-- Grants every waiter the family's rule admits, in queue order (the queue is saturated after).
-- Returns self's token if self was granted, else nil. After purge.
local function saturate(self)
  local mine = nil
  if SINGLE then
    -- At most one holder: only the head can be granted, and only when nothing is held.
    if not cur then
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
  local held_ids = redis.call('ZRANGE', H, 0, -1)
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
    for _, id in ipairs(held_ids) do
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
    for _, id in ipairs(held_ids) do
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
  if SINGLE then
    if cur then
      return cur_x - now
    end
    return -1
  end
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
-- earlier than W (they are extended together, and E is only ever extended while W exists), so
-- W's expiry tells whether they need extending; they are then given SLACK more. Q and W hold only
-- waiters, all covered by their current expiry (or, if W is new, only this one), so setting them
-- never cuts a deadline short; E also holds the holders' fields, whose expiry may be later (a
-- longer lease): E is only ever extended.
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

-- Records the waiter count, publishes the lock event if anything changed and the namespace is
-- watched, then bounds the life of the keys. A single-holder family with nobody waiting is HELD or
-- FREE, whose E needs to live exactly 1 s past the holder's expiry, or not at all. d: the deadline of an entry this call queued or
-- refreshed (which may since have been granted, with an expiry within d): the keys must outlive
-- it (cover). Otherwise deadlines only went away, or moved from a waiter to its grant (which E,
-- or for H grant(), keeps alive): the keys' expiry still covers every deadline, and they are
-- deleted once nothing is held or waiting.
local function finish(d)
  local nw = redis.call('ZCARD', W)
  if nw > 0 then
    redis.call('HSET', E, 'n', nw)
  else
    redis.call('HDEL', E, 'n')
  end
  if changed and watched() then
    local parts = { 'L', lock_name(), tostring(nw) }
    if SINGLE then
      if cur then
        local f = redis.call('HMGET', E, 'i', 'ctr')
        local c, s = holder_info(f[1])
        table.insert(parts, holder_line(c, FAMILY, '1', f[2], s))
      end
    else
      for _, id in ipairs(redis.call('ZRANGE', H, 0, -1)) do
        local f = redis.call('HMGET', E, id .. ':c', id .. ':k', id .. ':p', id .. ':t', id .. ':s')
        table.insert(parts, holder_line(f[1], f[2], f[3], f[4], f[5]))
      end
    end
    redis.call('PUBLISH', events(), table.concat(parts, '\n'))
  end
  if SINGLE and nw == 0 then
    if cur then
      -- HELD: E holds the holder and the counter only, and lives exactly 1 s past its expiry (as
      -- the fast path leaves it), however long the waiters that left had made it live.
      redis.call('PEXPIREAT', E, n2s(cur_x + 1000))
    else
      clear()
    end
  elseif d then
    cover(d)
  elseif not granted and nw == 0 and not held() then
    clear()
  end
end

-- ---------------------------------------------------------------- monitor conditions (KEYS[6..8])

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

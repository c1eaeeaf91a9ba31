-- Fast path of acquire.lua (FREE -> HELD, see lock_common.lua), placed before the shared prelude
-- so that the common case pays for none of the prelude's function definitions: each redis.call
-- and each closure a call creates costs server time on every acquire. Self-contained: the same
-- arguments as acquire.lua, and it ends the script only when it grants; otherwise control falls
-- through to the prelude and the general path, having written nothing.
-- A single-holder family with no live holder and no waiter count: no n means nobody waits (W
-- nonempty implies n), so the general path would append this entry and grant it at once; this
-- writes the same end state (holder fields, counter, expiry of E, event) touching E alone, plus
-- the watch mark's existence.
if ARGV[1] == 'MUTEX' or ARGV[1] == 'LEADERSHIP' or ARGV[1] == 'MONITOR' then
  local E = KEYS[1]
  local f = redis.call('HMGET', E, 'h', 'x', 'n', 'ctr')
  if not f[3] then
    local t = redis.call('TIME')
    local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local now = math.floor(now_us / 1000)
    if not f[1] or tonumber(f[2]) < now then
      -- The token rule of lock_common.lua (token_after): max(ctr + 1, clock in µs). Numbers go
      -- to redis.call as they are: the server prints them with 17 significant digits, exact for
      -- these integers (below 2^53), which spares a string.format per value.
      local tok = math.max(tonumber(f[4] or '0') + 1, now_us)
      local expiry = now + tonumber(ARGV[10])
      -- Overwrites every field of an expired holder, if one was left.
      redis.call('HSET', E, 'ctr', tok, 'h', ARGV[4], 'x', expiry, 'c', ARGV[5], 't', tok,
        's', now, 'q', ARGV[12])
      -- E holds nothing else that needs to live longer (no waiters; the counter trails the clock).
      redis.call('PEXPIREAT', E, expiry + 1000)
      if redis.call('EXISTS', KEYS[5]) == 1 then
        redis.call('PUBLISH', ARGV[2], 'L\n' .. ARGV[3] .. '\n0\n' .. table.concat({ ARGV[5],
          ARGV[1], '1', string.format('%.0f', tok), string.format('%.0f', now) }, '\t'))
      end
      return { 1, tok }
    end
  end
end

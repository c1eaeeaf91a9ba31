-- Fast path of acquire.lua (FREE -> HELD, see lock_common.lua), placed before the shared prelude
-- so that the common case pays for none of the prelude's function definitions: each redis.call
-- and each closure a call creates costs server time on every acquire. Self-contained: the same
-- arguments as acquire.lua, and it ends the script only when it grants; otherwise control falls
-- through to the prelude and the general path, having written nothing.
-- A single-holder family with no live holder and no waiter count: no n means nobody waits (W
-- nonempty implies n), so the general path would append this entry and grant it at once; this
-- writes the same end state (holder fields, counter, expiry of E, event) touching E alone, plus
-- the watch mark's existence.
-- The clock and the token stay decimal text where they can: a Lua number handed to redis.call is
-- printed with "%.17g" (this path printed five per acquire; stopping that, with one holder field
-- fewer, cut the server's CPU per cycle by about 8 %, docs/BENCHMARKS.md), and the clock's text is
-- what TIME already replied.
-- The values written are the same as the general path's (integers without leading zeros), which
-- reads them as numbers.
if ARGV[1] == 'MUTEX' or ARGV[1] == 'LEADERSHIP' or ARGV[1] == 'MONITOR' then
  local E = KEYS[1]
  local f = redis.call('HMGET', E, 'h', 'x', 'n', 'ctr')
  if not f[3] then
    local t = redis.call('TIME')
    -- Seconds, then microseconds padded to 6 digits: the clock in µs and in ms, as text.
    local now_us = t[1] .. string.sub('00000' .. t[2], #t[2])
    local now = string.sub(now_us, 1, -4)
    -- Integers as decimal text without leading zeros compare by length, then character by
    -- character (x < now: the holder's expiry passed).
    local x = f[2]
    if not f[1] or #x < #now or (#x == #now and x < now) then
      -- The token rule of lock_common.lua (token_after): max(ctr + 1, clock in µs), that is the
      -- clock unless the counter has reached it.
      local ctr, tok = f[4], now_us
      if ctr and (#ctr > #now_us or (#ctr == #now_us and ctr >= now_us)) then
        tok = string.format('%.0f', tonumber(ctr) + 1)
      end
      local expiry = tonumber(now) + tonumber(ARGV[4])
      -- Overwrites every field of an expired holder, if one was left. The holder's token is the
      -- counter (nothing is granted while it holds); client, grant time and seq share one field.
      redis.call('HSET', E, 'ctr', tok, 'h', ARGV[2], 'x', expiry,
        'i', ARGV[3] .. '\t' .. now .. '\t' .. ARGV[5])
      -- E holds nothing else that needs to live longer (no waiters; the counter trails the clock).
      redis.call('PEXPIREAT', E, expiry + 1000)
      if redis.call('EXISTS', KEYS[5]) == 1 then
        -- The channel and the name, from the keys as lock_common.lua's events() reads them.
        local ns = string.sub(KEYS[5], 8, -10)
        redis.call('PUBLISH', 'baton:w:' .. ns, 'L\n' .. string.sub(E, 9 + #ns, -(#ARGV[1] + 5))
          .. '\n0\n' .. table.concat({ ARGV[3], ARGV[1], '1', tok, now }, '\t'))
      end
      -- The token as text (a bulk reply); the client reads either form.
      return { 1, tok }
    end
  end
end

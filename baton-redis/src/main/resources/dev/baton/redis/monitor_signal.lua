-- Monitor signal: checks that ARGV[2] is the monitor's current holder, then moves the condition's
-- longest-waiting live waiter (all of them, oldest first, if ARGV[3] is '1') to the tail of the
-- entry queue. Dead waiters (past their liveness deadline) are dropped first, so never chosen.
-- Nothing is granted here: the holder keeps the monitor (Mesa semantics).
-- ARGV[2] holder id, [3] '1' all, '0' one.
-- Reply: how many waiters moved, or -1 if the holder is not the current holder (nothing changed
-- but the purge of dead entries).
clock()
purge()
if cur ~= ARGV[2] then
  finish(nil)
  return -1
end
cond_purge()
local moved = 0
local latest = nil
while true do
  local id = redis.call('LINDEX', CQ, 0)
  if not id then
    break
  end
  local d = cond_move(id)
  if d then
    moved = moved + 1
    latest = math.max(latest or d, d)
    if ARGV[3] ~= '1' then
      break
    end
  end
end
cond_finish(nil)
finish(latest)
return moved

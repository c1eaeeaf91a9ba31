-- A monitor waiter's timeout: if it is still in the condition's wait queue, moves it to the tail
-- of the entry queue (granted at once if that is the head of a free monitor).
-- ARGV[2] id.
-- Reply: {1, token, seq of the request the expiry counts from} moved and granted; {2, hint ms}
-- moved, waiting; {0} not in the wait queue (a signal moved it first, or it was dropped).
local id = ARGV[2]
clock()
purge()
cond_purge()
if not redis.call('ZSCORE', CW, id) then
  cond_finish(nil)
  finish(nil)
  return { 0 }
end
local d = cond_move(id)
cond_finish(nil)
if not d then
  finish(nil)
  return { 0 }
end
local tok = saturate(id)
local status = { 2, hint() }
if tok then
  status = held_status(id)
end
finish(d)
return status

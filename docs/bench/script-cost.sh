#!/usr/bin/env bash
# Server time of Baton's uncontended Redis cycle, script by script, at one or more git revisions,
# next to the floor's (SET NX PX, then a compare-and-delete script) and the fenced floor's (the two
# scripts of redis-fenced-floor, at the working tree). No client in the measurement:
# redis-cli --pipe streams 100,000 acquire + release pairs on one name into a fresh redis-server
# (unix socket only), and INFO commandstats gives the server's own time per call (usec_per_call),
# which leaves out the network and the event loop. Where perf is on the PATH, each line also
# gives the server process's CPU time per cycle over the whole pipe (perf stat's task-clock:
# parsing, the event loop and the scripts), which counts only time the server ran, so a busy
# machine inflates it less than usec_per_call, which is wall time. Used for docs/BENCHMARKS.md
# (issue 14).
#
#   docs/bench/script-cost.sh [REV...]        default: HEAD
#   NAMES=10000 docs/bench/script-cost.sh     each cycle on a name drawn from 10,000 (default 1),
#                                             as in the bench's many-keys scenario
#
# Needs redis-server, redis-cli, python3 and git on the PATH; perf optionally.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
N=100000
DIR=baton-redis/src/main/resources/dev/baton/redis
WORK=$(mktemp -d)
SOCK="$WORK/redis.sock"
trap 'redis-cli -s "$SOCK" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
redis-server --port 0 --unixsocket "$SOCK" --save '' --appendonly no --daemonize yes \
  --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
cli() { redis-cli -s "$SOCK" "$@"; }

# The pipes, in the RESP protocol redis-cli --pipe reads. `gen baton SHA_ACQUIRE SHA_RELEASE`:
# acquire and release of one mutex, a new entry id per cycle, as RedisAcquisitions sends them (5
# keys; a revision whose scripts take 4 ignores the fifth unless it is a condition). `gen baton-v1
# ...`: the same in the argument layout before 2026-12-07 (the events channel and the name as
# ARGV[2] and [3], the request's kind, permits, limit, try-once and liveness one argument each),
# chosen for revisions whose acquire reads ARGV[12]. `gen floor`:
# SET NX PX, then a compare-and-delete EVAL. `gen fenced SHA_ACQUIRE SHA_RELEASE`: redis-fenced-floor's
# two scripts (baton-bench's fenced_floor_*.lua), the least a lock with Baton's token rule does.
gen() {
  python3 - "$N" "${NAMES:-1}" "$@" <<'EOF'
import random, sys
def resp(*a):
    out = ["*%d\r\n" % len(a)]
    for x in a:
        x = str(x); out.append("$%d\r\n%s\r\n" % (len(x.encode()), x))
    return "".join(out)
n, names, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(1)  # the same names, in the same order, for every system and revision
pick = [random.randrange(names) + 1 for _ in range(n)]
out = []
if mode.startswith("baton"):
    acq, rel = sys.argv[4], sys.argv[5]
    for i in range(n):
        k = "k%d" % pick[i]
        keys = ["baton:{baton/%s}:MUTEX:%s" % (k, x) for x in "EQWH"] + ["baton:{baton}:watched"]
        i_d = "fd43a550681de56a:%d" % i
        if mode == "baton-v1":
            out.append(resp("EVALSHA", acq, 5, *keys, "MUTEX", "baton:w:baton", k, i_d,
                            "9261@host#f6eee221", "MUTEX", 1, 1, 0, 5000, 5000, i))
            out.append(resp("EVALSHA", rel, 5, *keys, "MUTEX", "baton:w:baton", k, i_d))
        else:
            out.append(resp("EVALSHA", acq, 5, *keys, "MUTEX", i_d, "9261@host#f6eee221", 5000,
                            i, "MUTEX 1 1 0 5000"))
            out.append(resp("EVALSHA", rel, 5, *keys, "MUTEX", i_d))
elif mode == "fenced":
    acq, rel = sys.argv[4], sys.argv[5]
    for i in range(n):
        k, holder = "fenced-floor:k%d" % pick[i], "fd43a550681de56a:%d" % i
        out.append(resp("EVALSHA", acq, 1, k, holder, 30000))
        out.append(resp("EVALSHA", rel, 1, k, holder))
else:
    cad = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])"
           " else return 0 end")
    for i in range(n):
        k, t = "floor:k%d" % pick[i], "t%d" % i
        out.append(resp("SET", k, t, "NX", "PX", 30000))
        out.append(resp("EVAL", cad, 1, k, t))
sys.stdout.write("".join(out))
EOF
}

# usec_per_call of each command the last pipe ran, one line.
stats() {
  cli INFO commandstats | tr -d '\r' | grep '^cmdstat_' | grep -v 'config\|info' |
    sed 's/cmdstat_\([a-z|]*\):calls=\([0-9]*\),usec=\([0-9]*\),usec_per_call=\([0-9.]*\).*/\1 x\2 \4 µs/' |
    paste -sd ';' -
}

script() { # REV NAME: the script as RedisScripts composes it at REV
  local rev=$1 name=$2
  if git cat-file -e "$rev:$DIR/${name}_fast.lua" 2>/dev/null; then
    git show "$rev:$DIR/${name}_fast.lua"
    echo
  fi
  git show "$rev:$DIR/lock_common.lua"
  echo
  git show "$rev:$DIR/$name.lua"
}

# `stream FILE`: pipes FILE into the server; prints its CPU µs per cycle and "; " where perf is
# on the PATH and may watch the server, else nothing (the pipe is then sent without perf).
stream() {
  local pid ms=""
  if command -v perf >/dev/null; then
    pid=$(cli INFO server | tr -d '\r' | sed -n 's/^process_id://p')
    if perf stat -x, -e task-clock -p "$pid" -o "$WORK/perf" -- \
      redis-cli -s "$SOCK" --pipe <"$1" >/dev/null 2>&1; then
      ms=$(sed -n 's/^\([0-9.]*\),msec,task-clock.*/\1/p' "$WORK/perf")
      [ -n "$ms" ] || return 0 # perf ran the pipe but could not count
      python3 -c "print('server cpu %.2f µs/cycle; ' % ($ms * 1000 / $N), end='')"
      return 0
    fi
  fi
  cli --pipe <"$1" >/dev/null
}

# `pair LABEL MODE ACQUIRE.lua RELEASE.lua`: loads the two scripts into an empty server, streams
# the MODE pipe through them, prints LABEL and the stats.
pair() {
  cli FLUSHALL >/dev/null
  local a r
  a=$(cli SCRIPT LOAD "$(cat "$3")")
  r=$(cli SCRIPT LOAD "$(cat "$4")")
  gen "$2" "$a" "$r" >"$WORK/pipe"
  cli CONFIG RESETSTAT >/dev/null
  local cpu
  cpu=$(stream "$WORK/pipe")
  echo "$1: $cpu$(stats)"
}

for rev in "${@:-HEAD}"; do
  script "$rev" acquire >"$WORK/a.lua"
  script "$rev" release >"$WORK/r.lua"
  layout=baton
  if grep -q 'ARGV\[12\]' "$WORK/a.lua"; then layout=baton-v1; fi
  pair "baton @ $(git rev-parse --short "$rev")" "$layout" "$WORK/a.lua" "$WORK/r.lua"
done

gen floor >"$WORK/floor"
cli CONFIG RESETSTAT >/dev/null
cpu=$(stream "$WORK/floor")
echo "redis-floor: $cpu$(stats)"

FENCED=baton-bench/src/main/resources/dev/baton/bench/redis
pair redis-fenced-floor fenced "$FENCED/fenced_floor_acquire.lua" "$FENCED/fenced_floor_release.lua"
